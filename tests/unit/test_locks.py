"""The lock files pin every dependency pyproject.toml declares: a fresh clone installs from
them, so a dependency missing there breaks `make test` and the image."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _names(requirements: list[str]) -> set[str]:
    names = set()
    for requirement in requirements:
        name = re.split(r"[\s\[<>=!~;]", requirement, maxsplit=1)[0]
        if name != "etwinning-platform":
            names.add(_canonical(name))
    return names


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pinned(lock: str) -> set[str]:
    text = (ROOT / "requirements" / lock).read_text()
    return {_canonical(m) for m in re.findall(r"^([A-Za-z0-9_.\-]+)==", text, re.MULTILINE)}


def test_runtime_lock_pins_every_runtime_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert _names(project["dependencies"]) <= _pinned("runtime.lock")


def test_dev_lock_pins_every_dependency_of_every_extra() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = _names(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        declared |= _names(extra)
    assert declared <= _pinned("dev.lock")


def test_runtime_lock_has_hashes_for_every_pin() -> None:
    text = (ROOT / "requirements" / "runtime.lock").read_text()
    pins = re.findall(r"^[A-Za-z0-9_.\-]+==\S+", text, re.MULTILINE)
    blocks = re.split(r"^(?=[A-Za-z0-9_.\-]+==)", text, flags=re.MULTILINE)[1:]
    assert len(pins) == len(blocks)
    assert all("--hash=sha256:" in block for block in blocks)
