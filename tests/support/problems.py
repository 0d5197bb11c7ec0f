"""Reading error answers in tests: the code of an error body, whatever test asks for it.

The error shape is moving to RFC 9457 problems (`code` at the top level); tests read codes
through this one function so the shape lives in one place."""

from __future__ import annotations

from typing import Any


def problem_code(response: Any) -> str:
    body = response.json()
    if "code" in body:
        return str(body["code"])
    return str(body["error"]["code"])
