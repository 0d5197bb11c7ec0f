"""Template values of the National Quality Label events, in the recipient's language: the
decision's explanation one check per line, its numbers formatted for the locale, and the
sentences a payload only holds as booleans.

The phrases are files beside the templates (templates/<language>/nql_phrases.json), with the
rubric's sub-criteria titles translated; a missing language or phrase falls back to English,
and a sub-criterion the file does not know keeps the rubric's own title (from the payload).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date
from functools import cache
from html import escape
from string import Template
from typing import Any

from services.notifications.adapters.templates import FALLBACK_LANGUAGE, TEMPLATES
from services.notifications.domain.locale import LocaleFormatter, NumberFormatter

PHRASES_FILE = "nql_phrases.json"
KEY_MINIMUM = "key_minimum:"

# Plain-text values, and values already made HTML (they replace the escaped ones in .html).
TemplateValues = tuple[dict[str, str], dict[str, str]]
ValuesOf = Callable[[Mapping[str, Any], str, LocaleFormatter], TemplateValues]


@cache
def phrases(language: str) -> Mapping[str, Any]:
    merged: dict[str, Any] = {}
    for candidate in (FALLBACK_LANGUAGE, language.split("-")[0], language):
        path = TEMPLATES / candidate / PHRASES_FILE
        if path.is_file():
            loaded = json.loads(path.read_text(encoding="utf-8"))
            criteria = {**merged.get("criteria", {}), **loaded.get("criteria", {})}
            merged |= loaded | {"criteria": criteria}
    return merged


def decision_values(
    payload: Mapping[str, Any], language: str, numbers: NumberFormatter
) -> TemplateValues:
    """awards.nql.granted / awards.nql.refused (R-NQL-5, R-NQL-6)."""
    words = phrases(language)

    def number(value: int | float) -> str:
        return numbers.format_number(value, language)

    checks = payload["explanation"]
    lines = [_check_line(check, payload, words, number) for check in checks]
    failed = sum(1 for check in checks if not check["passed"])
    ratio = payload["total"] / payload["max_total"] if payload["max_total"] else 0.0
    summary = Template(words["summary_refused" if failed else "summary_granted"]).substitute(
        total=number(payload["total"]),
        max_total=number(payload["max_total"]),
        percent=numbers.format_percent(ratio, language),
        failed=number(failed),
        checks=number(len(checks)),
    )
    values = {
        "explanation": "\n".join(f"- {line}" for line in lines),
        "summary": summary,
        "total": number(payload["total"]),
        "max_total": number(payload["max_total"]),
    }
    if "reapplication_allowed" in payload:
        allowed = payload["reapplication_allowed"]
        values["reapplication_allowed"] = words[
            "reapplication_allowed" if allowed else "reapplication_not_allowed"
        ]
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    return values, {"explanation": f"<ul>{items}</ul>"}


def applied_values(
    payload: Mapping[str, Any], language: str, numbers: NumberFormatter
) -> TemplateValues:
    """awards.nql.applied, for the NSO that evaluates it (R-NQL-3, R-NQL-6)."""
    words = phrases(language)
    reapplication = words["reapplication" if payload["reapplication"] else "first_application"]
    position = numbers.format_number(payload["position_in_school_year"], language)
    return {"reapplication": reapplication, "position_in_school_year": position}, {}


def _check_line(
    check: Mapping[str, Any],
    payload: Mapping[str, Any],
    words: Mapping[str, Any],
    number: Callable[[int | float], str],
) -> str:
    name = str(check["check"])
    if name.startswith(KEY_MINIMUM):
        sub_criterion = name.removeprefix(KEY_MINIMUM)
        criterion = words["criteria"].get(sub_criterion) or _rubric_title(check)
        phrase = Template(words["key_minimum"]).substitute(
            criterion=criterion, actual=number(check["actual"]), required=number(check["required"])
        )
    else:
        phrase = Template(words["min_total"]).substitute(
            actual=number(check["actual"]),
            max_total=number(payload["max_total"]),
            required=number(check["required"]),
        )
    if check["passed"]:
        return f"{phrase} — {words['met']}"
    missing = Template(words["short"]).substitute(missing=number(-int(check["margin"])))
    return f"{phrase} — {missing}"


def _rubric_title(check: Mapping[str, Any]) -> str:
    """`key sub-criterion: <title>` as the awards service words it: the title is kept."""
    return str(check["description"]).partition(": ")[2] or str(check["description"])


def not_evaluated_values(
    payload: Mapping[str, Any], language: str, locale: LocaleFormatter
) -> TemplateValues:
    """awards.nql.not_evaluated (R-NQL-3): from when the capped application may be submitted
    again. The event says so (`may_apply_again_from`); an older event without it means the
    next school year, which starts on 1 September."""
    given = payload.get("may_apply_again_from")
    if given:
        again = date.fromisoformat(str(given))
    else:
        again = date(int(str(payload["school_year"]).split("/")[0]) + 1, 9, 1)
    return {
        "may_apply_again_from": locale.format_date(again, language),
        "cap": locale.format_number(payload["cap"], language),
        "position_in_school_year": locale.format_number(
            payload["position_in_school_year"], language
        ),
    }, {}


VALUES_BY_EVENT_TYPE: dict[str, ValuesOf] = {
    "awards.nql.applied": applied_values,
    "awards.nql.not_evaluated": not_evaluated_values,
    "awards.nql.granted": decision_values,
    "awards.nql.refused": decision_values,
}
