"""Records as a file holds them: a Ctrl-C while one is written is the user's, whatever it hit."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, field_serializer
from pydantic_core import PydanticSerializationError

from orderdesk.formats import record_json
from tests.record_factory import request


class _Interrupted(BaseModel):
    """A model whose serializer is where the interrupt lands, as format_timestamp can be."""

    at: int

    @field_serializer("at")
    def _interrupted(self, at: int) -> str:
        raise KeyboardInterrupt


class _Broken(BaseModel):
    at: int

    @field_serializer("at")
    def _broken(self, at: int) -> str:
        raise ValueError("not a moment")


def test_a_ctrl_c_inside_a_serializer_is_an_interrupt() -> None:
    interrupted: Any = _Interrupted(at=1)
    with pytest.raises(KeyboardInterrupt):
        record_json(interrupted)


def test_any_other_serializer_error_stays_what_it_is() -> None:
    broken: Any = _Broken(at=1)
    with pytest.raises(PydanticSerializationError, match="not a moment"):
        record_json(broken)


def test_a_record_is_one_ascii_line() -> None:
    line = record_json(request(1))
    assert "\n" not in line and line.isascii() and line.startswith('{"id":')
