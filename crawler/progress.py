"""A live progress line on stderr for long work (crawl, reindex, demo, bench).

It redraws one line on a terminal and prints a plain line every few seconds elsewhere (CI logs, pipes),
so a log never fills with carriage returns. It lives in `crawler/` because the crawler is the first stage
of the flow; every later stage may use it.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """`with Progress("crawling", total=N) as p: p.advance(status="...")`."""

    def __init__(
        self,
        label: str,
        total: int | None = None,
        stream: TextIO | None = None,
        every: float = 0.2,
        enabled: bool = True,
    ) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self.status = ""
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.every = every if self.tty else max(every, 5.0)
        self.started = time.monotonic()
        self._last = 0.0

    def __enter__(self) -> Progress:
        self.say(f"{self.label}...")
        return self

    def __exit__(self, *exc: object) -> None:
        self.finish()

    def say(self, message: str) -> None:
        """A line of its own: what the work is doing now."""
        if not self.enabled:
            return
        if self.tty:
            self.stream.write("\r\x1b[K")
        self.stream.write(message + "\n")
        self.stream.flush()

    def advance(self, n: int = 1, status: str | None = None) -> None:
        self.done += n
        if status is not None:
            self.status = status
        now = time.monotonic()
        if now - self._last >= self.every:
            self._last = now
            self._draw()

    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0

    def line(self) -> str:
        if self.total:
            width = 24
            filled = min(width, int(width * self.done / self.total))
            bar = "[" + "#" * filled + "-" * (width - filled) + "]"
            count = f"{bar} {self.done}/{self.total}"
        else:
            count = f"{self.done}"
        return f"{self.label}: {count} {self.rate():.1f}/s {self.status}".rstrip()

    def _draw(self) -> None:
        if not self.enabled:
            return
        if self.tty:
            self.stream.write("\r\x1b[K" + self.line()[:200])
        else:
            self.stream.write(self.line() + "\n")
        self.stream.flush()

    def finish(self, summary: str | None = None) -> None:
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.started
        if self.tty:
            self.stream.write("\r\x1b[K")
        text = summary or f"{self.label}: {self.done} done in {elapsed:.1f}s"
        self.stream.write(text + "\n")
        self.stream.flush()
        self.enabled = False
