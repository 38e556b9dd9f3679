"""Base class of every response model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class BiliModel(BaseModel):
    """A response object: lenient on input, unknown fields kept in `model_extra`.

    Bilibili adds fields all the time and mixes numbers and strings, so models accept
    numbers for `str` fields and numeric strings for `int` fields, and never reject extras.
    """

    model_config = ConfigDict(
        extra="allow",
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        defer_build=True,
        coerce_numbers_to_str=True,
        protected_namespaces=(),
    )
