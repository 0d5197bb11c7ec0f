"""`etwinning`: `--help` works on every command and subcommand, found by walking the parser."""

from __future__ import annotations

import argparse

import pytest

from tools import cli


def _command_paths(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = [path]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                paths += _command_paths(sub, (*path, name))
    return paths


PATHS = _command_paths(cli.build_parser())


def test_the_walk_finds_every_command() -> None:
    names = {" ".join(path) for path in PATHS}
    assert {
        "", "dlq", "dlq list", "dlq show", "dlq redrive", "trace", "publish", "token", "seed",
        "seed demo",
    } <= names  # fmt: skip


@pytest.mark.parametrize("path", PATHS, ids=lambda path: " ".join(path) or "etwinning")
def test_help_everywhere(path: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main([*path, "--help"])
    assert exit_.value.code == 0
    shown = capsys.readouterr().out
    assert shown.startswith("usage: ")
    if path == ("token",):  # handed over to tools/mint_token.py
        assert "--role" in shown
    else:
        assert f"etwinning {' '.join(path)}".strip() in shown.splitlines()[0]
        assert len(shown.splitlines()) > 3  # more than a usage line: options are described


def test_global_flags_come_before_the_command() -> None:
    args = cli.build_parser().parse_args(["--no-progress", "dlq", "redrive", "awards"])
    assert (args.no_progress, args.dlq_command, args.service, args.limit) == (
        True,
        "redrive",
        "awards",
        None,
    )


def test_seed_demo_takes_a_host_or_a_url_per_service() -> None:
    args = cli.build_parser().parse_args(
        ["seed", "demo", "--host", "10.0.0.5", "--base-url-awards", "http://awards:9000"]
    )
    assert (args.host, args.base_url_awards, args.base_url_projects) == (
        "10.0.0.5",
        "http://awards:9000",
        None,
    )


def test_an_unknown_service_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["dlq", "list", "billing"])
    assert exit_.value.code == 2
    assert "invalid choice: 'billing'" in capsys.readouterr().err


def test_errors_prints_the_catalog_and_one_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["errors"]) == 0
    listed = capsys.readouterr().out
    assert "quota_exceeded" in listed and "average_not_above_threshold" in listed
    assert cli.main(["errors", "quota_exceeded"]) == 0
    one = capsys.readouterr().out
    assert "409 R-EQL-4" in one and "urn:etwinning:problem:quota_exceeded" in one
    assert cli.main(["errors", "no_such_code"]) == 1


def test_an_error_answer_is_shown_as_one_line_from_its_problem() -> None:
    import httpx

    from tools.answers import describe

    problem = httpx.Response(
        409,
        headers={"content-type": "application/problem+json"},
        json={"type": "urn:etwinning:problem:duplicate_email", "title": "E-mail registered",
              "status": 409, "detail": "a profile with this e-mail exists",
              "code": "duplicate_email", "rule": "R-REG-7"},
    )  # fmt: skip
    assert describe(problem) == "409 duplicate_email R-REG-7: a profile with this e-mail exists"
    page = httpx.Response(502, headers={"content-type": "text/html"}, text="<h1>Bad gateway</h1>")
    assert describe(page) == "502 <h1>Bad gateway</h1>"
