"""Bounded input types for every HTTP path, query and body field: one place decides how big a
year, a count, a score or a text may be, so no unbounded integer reaches MongoDB (which
cannot store one: OverflowError, a 500) and no megabyte string is stored.

Names and one-line texts refuse control characters (NUL included); free texts allow line
breaks and tabs only. The bounds are part of each field's JSON Schema, so the OpenAPI
document says them and a client (or schemathesis) can keep to them."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

# One line: no C0 control character, no DEL.
ONE_LINE = r"^[^\x00-\x1f\x7f]*$"
# Free text: line breaks and tabs allowed, other control characters not.
FREE_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"

Year = Annotated[int, Field(ge=2005, le=2100, description="A calendar or school year.")]
Count = Annotated[int, Field(ge=0, le=1_000_000)]
Score = Annotated[int, Field(ge=0, le=1_000)]
PageNumber = Annotated[int, Field(ge=1, le=10_000)]
PageSize = Annotated[int, Field(ge=1, le=100)]
Age = Annotated[int, Field(ge=0, le=99)]

Identifier = Annotated[str, Field(min_length=1, max_length=64, pattern=ONE_LINE)]
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=ONE_LINE)]
ShortText = Annotated[str, Field(max_length=200, pattern=ONE_LINE)]
Keyword = Annotated[str, Field(min_length=1, max_length=100, pattern=ONE_LINE)]
# A query filter: empty means "no filter", as clients send `?status=`.
Filter = Annotated[str, Field(max_length=100, pattern=ONE_LINE)]
Text = Annotated[str, Field(max_length=2_000, pattern=FREE_TEXT)]
LongText = Annotated[str, Field(max_length=20_000, pattern=FREE_TEXT)]
Secret = Annotated[str, Field(min_length=16, max_length=256, pattern=ONE_LINE)]
Url = Annotated[str, Field(min_length=1, max_length=2_048, pattern=ONE_LINE)]
EmailText = Annotated[str, Field(max_length=320, pattern=ONE_LINE)]
