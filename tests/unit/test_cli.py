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
