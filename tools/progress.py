"""Progress of long operator work (redrives, seeding), written to stderr.

On a terminal it is a bar redrawn in place; elsewhere (CI logs, pipes) it is a plain line at
most every `interval` seconds and, if it wrote any, one at the end (short work writes
nothing), so logs stay readable; `--no-progress` turns it off. Standard library only.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Literal, TextIO

Mode = Literal["bar", "lines", "off"]
BAR_WIDTH = 30


def choose_mode(stream: TextIO, enabled: bool = True) -> Mode:
    if not enabled:
        return "off"
    isatty = getattr(stream, "isatty", None)
    return "bar" if isatty is not None and isatty() else "lines"


class Progress:
    """`update(done, total)` as work advances (it is a `progress` callback as is), then
    `close()`; or use it as a context manager."""

    def __init__(
        self,
        label: str,
        total: int | None = None,
        *,
        stream: TextIO | None = None,
        enabled: bool = True,
        interval: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
        show_rate: bool = False,
    ) -> None:
        """`show_rate`: also the rate since the start and the time left at that rate."""
        self.label = label
        self.total = total
        self.done = 0
        self._stream = stream if stream is not None else sys.stderr
        self.mode: Mode = choose_mode(self._stream, enabled)
        self._interval = interval
        self._clock = clock
        self._started = clock()
        self._last_line = self._started
        self._drawn = False
        self._shown = ""
        self._closed = False
        self._show_rate = show_rate

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def update(self, done: int, total: int | None = None) -> None:
        self.done = done
        if total is not None:
            self.total = total
        if self.mode == "bar":
            text = self._text()
            if text != self._shown:  # redraw only what changed
                self._write(f"\r{text}")
                self._shown = text
                self._drawn = True
        elif self.mode == "lines" and self._clock() - self._last_line >= self._interval:
            self._last_line = self._clock()
            self._write(f"{self._text()}\n")
            self._drawn = True

    def advance(self, step: int = 1) -> None:
        self.update(self.done + step)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        elapsed = self._clock() - self._started
        if self.mode == "bar":
            self._write(f"\r{self._text()} in {elapsed:.1f}s\n" if self._drawn else "")
        elif self.mode == "lines" and self._drawn:
            self._write(f"{self._text()} in {elapsed:.1f}s\n")

    def _text(self) -> str:
        if not self.total:
            return f"{self.label}: {self.done}"
        shown = min(self.done, self.total)
        filled = BAR_WIDTH * shown // self.total
        percent = 100 * shown // self.total
        rate = self._rate_and_time_left() if self._show_rate else ""
        if self.mode == "bar":
            bar = "#" * filled + "." * (BAR_WIDTH - filled)
            return f"{self.label} [{bar}] {self.done}/{self.total} {percent:3d}%{rate}"
        return f"{self.label}: {self.done}/{self.total} ({percent}%){rate}"

    def _rate_and_time_left(self) -> str:
        elapsed = self._clock() - self._started
        if elapsed <= 0 or self.done <= 0 or not self.total:
            return ""
        rate = self.done / elapsed
        left = max(self.total - self.done, 0) / rate
        return f" {rate:.1f}/s, {left:.0f}s left"

    def _write(self, text: str) -> None:
        if text:
            self._stream.write(text)
            self._stream.flush()
