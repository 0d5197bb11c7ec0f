"""Notification rules as data: which event notifies whom, with which template, on which
channels. The table lives in rules.json; this module reads it and applies it to a payload.
Plain Python: no I/O beyond parsing what it is given.

A rule names its recipients with selectors over the event's payload:
- `{"teachers": "<path>"}`: the teacher id(s) at that path (`member_ids`, `members[].teacher_id`);
- `{"nso_of": "<path>"}`: NSO staff of the country (or countries) at that path (R-REG-3);
- `{"css": true}`: every CSS staff member;
- `{"project_members": "<path>"}`: the members of the project whose id is at that path, as the
  service's own read model knows them (payloads such as partner_joined do not list them);
- `{"address": "<path>", "name": "<path>", "language": "<path>"}`: a person without an account
  (a school head asked to confirm a teacher), reached at the address in the payload; instead of
  `language`, `"language_of_country": "<path>"` writes in the country's first official language.
`"except": "<path>"` beside `teachers` leaves out the teacher(s) at that path (the founder who
withdrew a project is not told of it).
A rule with `when` applies only when each named payload field equals the given value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from services.notifications.domain.messages import Channel
from services.notifications.domain.places import language_of_country

CHANNELS: frozenset[str] = frozenset({"email", "inbox"})


@dataclass(frozen=True)
class Teachers:
    ids: tuple[str, ...]


@dataclass(frozen=True)
class Staff:
    role: Literal["nso", "css"]
    countries: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProjectMembers:
    project_id: str


@dataclass(frozen=True)
class Address:
    email: str
    name: str
    language: str


RecipientQuery = Teachers | Staff | ProjectMembers | Address
SELECTORS = frozenset({"teachers", "nso_of", "css", "project_members", "address"})


@dataclass(frozen=True)
class Rule:
    id: str
    event_type: str
    kind: str
    template: str
    recipients: tuple[Mapping[str, Any], ...]
    channels: frozenset[Channel]
    when: Mapping[str, Any] = field(default_factory=dict)

    def applies_to(self, payload: Mapping[str, Any]) -> bool:
        return all(payload.get(name) == value for name, value in self.when.items())

    def recipients_of(self, payload: Mapping[str, Any]) -> list[RecipientQuery]:
        return [_query(selector, payload) for selector in self.recipients]


class RuleBook:
    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = tuple(rules)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> RuleBook:
        return cls([_rule(entry) for entry in data["rules"]])

    def event_types(self) -> set[str]:
        return {rule.event_type for rule in self.rules}

    def templates(self) -> set[str]:
        return {rule.template for rule in self.rules}

    def matching(self, event_type: str, payload: Mapping[str, Any]) -> list[Rule]:
        return [r for r in self.rules if r.event_type == event_type and r.applies_to(payload)]


def values_at(payload: Mapping[str, Any], path: str) -> list[Any]:
    """Values at a dotted path; `name[]` walks every element of a list."""
    current: list[Any] = [payload]
    for part in path.split("."):
        is_list = part.endswith("[]")
        name = part.removesuffix("[]")
        found = [item.get(name) for item in current if isinstance(item, Mapping)]
        current = []
        for value in found:
            if value is None:
                continue
            if is_list or isinstance(value, list | tuple):
                current.extend(value)
            else:
                current.append(value)
    return current


def _query(selector: Mapping[str, Any], payload: Mapping[str, Any]) -> RecipientQuery:
    if "teachers" in selector:
        left_out = {str(v) for v in values_at(payload, selector.get("except", ""))}
        ids = (str(v) for v in values_at(payload, selector["teachers"]))
        return Teachers(tuple(dict.fromkeys(i for i in ids if i not in left_out)))
    if "address" in selector:
        return Address(
            email=_first(payload, selector["address"]),
            name=_first(payload, selector.get("name", "")),
            language=_first(payload, selector.get("language", ""))
            or _country_language(_first(payload, selector.get("language_of_country", "")))
            or "en",
        )
    if "nso_of" in selector:
        return Staff("nso", tuple(sorted({str(v) for v in values_at(payload, selector["nso_of"])})))
    if selector.get("css"):
        return Staff("css")
    if "project_members" in selector:
        return ProjectMembers(str(values_at(payload, selector["project_members"])[0]))
    raise ValueError(f"unknown recipient selector {dict(selector)!r}")


def _country_language(country: str) -> str:
    return language_of_country(country) if country else ""


def _first(payload: Mapping[str, Any], path: str) -> str:
    found = values_at(payload, path) if path else []
    return str(found[0]) if found else ""


def _rule(entry: Mapping[str, Any]) -> Rule:
    channels = frozenset(entry["channels"])
    if not channels or not channels <= CHANNELS:
        raise ValueError(f"rule {entry['id']}: channels must be some of {sorted(CHANNELS)}")
    recipients = tuple(entry["recipients"])
    for selector in recipients:
        if not (SELECTORS & set(selector)):
            raise ValueError(f"rule {entry['id']}: unknown recipient selector {selector!r}")
    return Rule(
        id=entry["id"],
        event_type=entry["event_type"],
        kind=entry.get("kind", entry["template"]),
        template=entry["template"],
        recipients=recipients,
        channels=channels,
        when=dict(entry.get("when", {})),
    )
