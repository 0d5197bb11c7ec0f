"""tools/progress.py: a bar on a terminal, periodic plain lines elsewhere, nothing when off."""

from __future__ import annotations

import io

from tools.progress import Progress, choose_mode


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_mode_follows_the_stream_and_the_flag() -> None:
    assert choose_mode(Terminal()) == "bar"
    assert choose_mode(io.StringIO()) == "lines"
    assert choose_mode(Terminal(), enabled=False) == "off"


def test_a_terminal_gets_a_bar_redrawn_in_place() -> None:
    stream, clock = Terminal(), Clock()
    with Progress("redrive", 4, stream=stream, clock=clock) as progress:
        for done in range(1, 5):
            progress.update(done, 4)
            progress.update(done, 4)  # nothing new: not drawn again
        clock.now += 1.5
    frames = stream.getvalue().split("\r")[1:]
    assert len(frames) == 5
    assert frames[0] == f"redrive [{'#' * 7}{'.' * 23}] 1/4  25%"
    assert frames[3] == f"redrive [{'#' * 30}] 4/4 100%"
    assert frames[-1] == f"redrive [{'#' * 30}] 4/4 100% in 1.5s\n"
    assert stream.getvalue().count("\n") == 1


def test_a_pipe_gets_a_line_at_most_every_interval_and_one_at_the_end() -> None:
    stream, clock = io.StringIO(), Clock()
    progress = Progress("redrive", 100, stream=stream, interval=2.0, clock=clock)
    for done in range(1, 101):
        clock.now += 0.125  # 12.5 s in all: a line every 2 s, i.e. every 16 items
        progress.update(done)
    progress.close()
    progress.close()  # closing twice writes nothing more
    lines = stream.getvalue().splitlines()
    assert lines[:6] == [f"redrive: {n}/100 ({n}%)" for n in (16, 32, 48, 64, 80, 96)]
    assert lines[6:] == ["redrive: 100/100 (100%) in 12.5s"]
    assert "\r" not in stream.getvalue()


def test_short_work_on_a_pipe_writes_nothing() -> None:
    stream, clock = io.StringIO(), Clock()
    with Progress("redrive", 3, stream=stream, clock=clock) as progress:
        for done in range(1, 4):
            clock.now += 0.5
            progress.update(done)
    assert stream.getvalue() == ""


def test_unknown_total_counts_and_advance_steps() -> None:
    stream = Terminal()
    with Progress("dead letters read", stream=stream) as progress:
        progress.advance()
        progress.advance(2)
    assert stream.getvalue().split("\r")[-1].startswith("dead letters read: 3 in ")


def test_off_writes_nothing() -> None:
    stream = Terminal()
    with Progress("redrive", 3, stream=stream, enabled=False) as progress:
        progress.update(3)
    assert stream.getvalue() == ""


def test_an_unused_bar_leaves_the_terminal_untouched() -> None:
    stream = Terminal()
    Progress("redrive", 0, stream=stream).close()
    assert stream.getvalue() == ""
