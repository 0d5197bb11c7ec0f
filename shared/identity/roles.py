"""Platform roles from the provider's claims: which claim carries the groups, and which group
names mean `nso` of a country, `css` or `operator`, is configuration (OIDC_GROUPS_CLAIM,
OIDC_GROUP_ROLES). A teacher is not a provider role: it is a subject linked to a teacher record,
which each service resolves from its own read models."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

StaffRole = Literal["nso", "css", "operator"]
STAFF_ROLES: tuple[StaffRole, ...] = ("operator", "css", "nso")  # the first one found wins
COUNTRY = "{country}"


@dataclass(frozen=True)
class StaffGrant:
    role: StaffRole
    country: str | None = None


class GroupRoles:
    """`{"nso-{country}": "nso", "css": "css", "operator": "operator"}` as matchers."""

    def __init__(self, mapping: Mapping[str, str]) -> None:
        self._rules: list[tuple[re.Pattern[str], StaffRole]] = []
        for group, role in mapping.items():
            if role not in STAFF_ROLES:
                raise ValueError(
                    f"group {group!r} maps to {role!r}: only {STAFF_ROLES} come from the "
                    "provider (a teacher is a subject linked to a teacher record)"
                )
            if (role == "nso") != (COUNTRY in group):
                raise ValueError(f"group {group!r}: exactly the nso groups name a {COUNTRY}")
            pattern = re.escape(group).replace(re.escape(COUNTRY), "(?P<country>[A-Z]{2})")
            self._rules.append((re.compile(f"^{pattern}$"), role))

    def grant(self, groups: Iterable[str]) -> StaffGrant | None:
        """The strongest staff role among the groups; None when they name none."""
        found: list[StaffGrant] = []
        for group in groups:
            name = group.rsplit("/", 1)[-1]  # Keycloak may send full paths: /nso-ES
            for pattern, role in self._rules:
                if match := pattern.match(name):
                    found.append(StaffGrant(role, match.groupdict().get("country")))
        if not found:
            return None
        return min(found, key=lambda grant: STAFF_ROLES.index(grant.role))


def claim_values(claims: Mapping[str, Any], path: str) -> list[str]:
    """The strings at a claim path such as `groups` or `realm_access.roles`."""
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return []
        value = value.get(part)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []
