"""Field types reused across the catalog."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

CountryCode = Annotated[
    str,
    Field(
        pattern=r"^[A-Z]{2}$",
        description="ISO 3166-1 alpha-2 code of a participating country (XK for Kosovo).",
        examples=["ES"],
    ),
]
LanguageCode = Annotated[
    str,
    Field(
        pattern=r"^[a-z]{2,3}(-[A-Z]{2})?$",
        description="BCP 47 language tag used for messages.",
        examples=["es"],
    ),
]
EntityId = Annotated[str, Field(min_length=1, max_length=64, description="Opaque identifier.")]
StaffRole = Literal["teacher", "head_teacher", "librarian", "other_staff"]
ProjectType = Literal["EUROPEAN", "NATIONAL"]
MemberRole = Literal["FOUNDER", "PARTNER"]
