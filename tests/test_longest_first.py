"""The test modules' order in a parallel run: the longest first, each module whole."""

from __future__ import annotations

from dataclasses import dataclass

from tests.longest_first import longest_first


@dataclass(frozen=True)
class _Test:
    nodeid: str


def _ids(tests: list[_Test]) -> list[str]:
    return [test.nodeid for test in tests]


COLLECTED = [
    _Test("tests/test_a.py::test_1"),
    _Test("tests/test_a.py::test_2"),
    _Test("tests/test_b.py::TestB::test_1"),
    _Test("tests/tui/test_c.py::test_1[80x24]"),
    _Test("tests/tui/test_c.py::test_1[200x50]"),
]


def test_modules_go_longest_first_each_in_its_own_order() -> None:
    noted = {"tests/test_a.py": 1.0, "tests/test_b.py": 15.0, "tests/tui/test_c.py": 4.0}
    assert _ids(longest_first(COLLECTED, noted)) == [
        "tests/test_b.py::TestB::test_1",
        "tests/tui/test_c.py::test_1[80x24]",
        "tests/tui/test_c.py::test_1[200x50]",
        "tests/test_a.py::test_1",
        "tests/test_a.py::test_2",
    ]


def test_a_module_not_noted_goes_first_and_equal_ones_keep_their_order() -> None:
    noted = {"tests/test_a.py": 2.0, "tests/test_b.py": 2.0}
    assert _ids(longest_first(COLLECTED, noted)) == [
        "tests/tui/test_c.py::test_1[80x24]",
        "tests/tui/test_c.py::test_1[200x50]",
        "tests/test_a.py::test_1",
        "tests/test_a.py::test_2",
        "tests/test_b.py::TestB::test_1",
    ]
