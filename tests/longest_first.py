"""The test modules in the order that ends a parallel run soonest: the longest first.

Each worker takes a whole module at a time (``--dist loadfile``). pytest-xdist
hands them out by their number of tests, most first, so a module of two long
tests came last: in one run of the fast loop, the team test (two tests, 15 s)
started when the other workers had a second left, and the run waited 14 s
for it. Started first, its waiting is spread over the others' work.

So each run notes how long each module's tests took, in pytest's cache
(``orderdesk/module_seconds``), and the next run hands the modules out
longest first, a module's tests keeping their own order. A module with no
time noted yet (a new one) goes first of all. Without a note (a clean clone,
or ``-p no:cacheprovider``) nothing changes: xdist's order stands. Which
worker runs what never changes what a test checks; only when it starts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, TypeVar

import pytest

__all__ = ["KEY", "longest_first"]

#: Where the seconds of each module are kept in pytest's cache.
KEY = "orderdesk/module_seconds"

_seconds: dict[str, float] = {}
#: The seconds each module took when last noted, which this run orders by.
_order: dict[str, float] = {}


class _Identified(Protocol):
    @property
    def nodeid(self) -> str: ...


_Item = TypeVar("_Item", bound=_Identified)


def _module(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def _noted(config: pytest.Config) -> dict[str, float]:
    """The seconds this run goes by: read once, by the controller, and handed to its workers.

    Read by each worker from the cache, an order could differ between them if
    another run wrote the cache meanwhile, and xdist stops a run whose workers
    collected differently.
    """
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        given = workerinput.get(KEY, {})
        return given if isinstance(given, dict) else {}
    cache = getattr(config, "cache", None)
    if cache is None:
        return {}
    noted = cache.get(KEY, {})
    return noted if isinstance(noted, dict) else {}


def pytest_configure(config: pytest.Config) -> None:
    global _order
    _order = _noted(config)
    # The controller hands the modules out in the order the workers collected them.
    if _order and hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist's controller starting a worker: the worker orders by the controller's seconds."""
    node.workerinput[KEY] = _order


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _order:
        items[:] = longest_first(items, _order)


def longest_first(items: Sequence[_Item], noted: Mapping[str, float]) -> list[_Item]:
    """``items`` by module, the modules longest first by ``noted``, those not noted before."""
    modules: dict[str, list[_Item]] = {}
    for item in items:
        modules.setdefault(_module(item.nodeid), []).append(item)
    # Stable: modules of equal time keep the order they were collected in.
    ordered = sorted(modules, key=lambda module: -noted.get(module, float("inf")))
    return [item for module in ordered for item in modules[module]]


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    module = _module(report.nodeid)
    _seconds[module] = _seconds.get(module, 0.0) + report.duration


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    cache = getattr(config, "cache", None)
    # The controller, or a run in one process, which saw every report.
    if cache is None or hasattr(config, "workerinput") or not _seconds:
        return
    noted = _noted(config)
    noted.update({module: round(seconds, 2) for module, seconds in _seconds.items()})
    cache.set(KEY, noted)
