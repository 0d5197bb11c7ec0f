"""How the command line shows an error answer of the platform's HTTP APIs: one line from the
RFC 9457 problem (`409 duplicate_email R-REG-7: a profile with this e-mail exists`), and the
raw text when the answer is not a problem (a proxy's page, say)."""

from __future__ import annotations

from typing import Any

import httpx


def problem_of(response: httpx.Response) -> dict[str, Any] | None:
    if not response.headers.get("content-type", "").startswith("application/problem+json"):
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) and "code" in body else None


def describe(response: httpx.Response) -> str:
    problem = problem_of(response)
    if problem is None:
        return f"{response.status_code} {response.text[:500]}"
    rule = f" {problem['rule']}" if problem.get("rule") else ""
    figures = {
        key: value
        for key, value in problem.items()
        if key not in {"type", "title", "status", "detail", "instance", "code", "rule"}
    }
    shown = f" {figures}" if figures else ""
    return f"{response.status_code} {problem['code']}{rule}: {problem.get('detail', '')}{shown}"
