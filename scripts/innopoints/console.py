"""What the user sees: a command's result on stdout (``result``), diagnostics through ``logging`` on
stderr (set up once by ``setup_logging``: INFO, DEBUG with -v, WARNING with -q), and the progress of
long work (``Progress``: a bar on a terminal, plain log lines otherwise, nothing with -q)."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from types import TracebackType

from tqdm import tqdm

LOGGER = "innopoints"
_bars: list[tqdm] = []  # the bars on screen: log lines are written above them


def result(text: str = "", *, end: str = "\n") -> None:
    """A command's result (a table, a URL, JSON, a summary), on stdout, whatever the verbosity."""
    sys.stdout.write(f"{text}{end}")
    sys.stdout.flush()


class _StderrHandler(logging.Handler):
    """Log lines to the current sys.stderr (so a test's capture sees them), above any progress bar."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
            if _bars:
                tqdm.write(line, file=sys.stderr)
            else:
                sys.stderr.write(line + "\n")
                sys.stderr.flush()
        except Exception:
            self.handleError(record)


def setup_logging(verbosity: int = 0) -> None:
    """Log to stderr: -1 (-q) warnings and errors only, 0 progress and diagnostics, 1 (-v) debug too."""
    level = logging.WARNING if verbosity < 0 else logging.DEBUG if verbosity > 0 else logging.INFO
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("[%(name)s] %(message)s" if verbosity > 0 else "%(message)s"))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _StderrHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO if verbosity > 0 else logging.WARNING)  # other libraries: warnings only
    logging.getLogger(LOGGER).setLevel(level)


def _interactive() -> bool:
    return sys.stderr.isatty() and logging.getLogger(LOGGER).isEnabledFor(logging.INFO)


class Progress:
    """The progress of one long step. On a terminal a bar (tqdm, on stderr); otherwise one INFO line per
    update (with ``throttle``, at most one per tenth of a total over 50); with -q nothing."""

    def __init__(self, desc: str, total: int | None = None, unit: str = "it",
                 log: logging.Logger | None = None, throttle: bool = False) -> None:
        self.desc, self.total, self.unit, self.throttle = desc, total, unit, throttle
        self.log = log or logging.getLogger(LOGGER)
        self.done = 0
        self._bar: tqdm | None = None
        self._logged_tenth = -1
        self._started = time.perf_counter()

    def __enter__(self) -> Progress:
        return self.start()

    def start(self) -> Progress:
        """Show the bar (on a terminal); ``close`` ends it."""
        if self._bar is None and _interactive():
            self._bar = tqdm(total=self.total, desc=self.desc, unit=self.unit, dynamic_ncols=True, file=sys.stderr)
            _bars.append(self._bar)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def update(self, done: int | None = None, *, total: int | None = None, note: str = "", step: int = 1) -> None:
        """``done`` items finished so far (default: one more than before); ``note`` says which."""
        if total is not None and total != self.total:
            self.total = total
            if self._bar is not None:
                self._bar.total = total
        self.done = self.done + step if done is None else done
        if self._bar is not None:
            self._bar.update(self.done - self._bar.n)
            if note:
                self.log.debug(note)
            return
        if self.throttle and self.total and self.total > 50:
            tenth = self.done * 10 // self.total
            if tenth == self._logged_tenth and self.done < self.total:
                return
            self._logged_tenth = tenth
        self.log.info(note or f"{self.desc}: {self.done:,}{f'/{self.total:,}' if self.total else ''} {self.unit}")

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            _bars.remove(self._bar)
            self._bar = None

    def elapsed(self) -> float:
        return time.perf_counter() - self._started


def callback(progress: Progress) -> Callable[[int, int], None]:
    """``(done, total)`` callback for library functions that report their progress that way."""
    return lambda done, total: progress.update(done, total=total)
