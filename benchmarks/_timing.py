"""Timing helpers shared by the benchmark sections."""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Callable


def best_time(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


class Timeout(Exception):
    pass


def with_timeout(fn: Callable[[], object], seconds: float) -> tuple[object, float]:
    """Run fn, giving up after `seconds` (SIGALRM); returns (result, elapsed)."""

    def handler(signum, frame):
        raise Timeout

    old = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    t0 = time.perf_counter()
    try:
        return fn(), time.perf_counter() - t0
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def stderr_progress(label: str) -> Callable[[int, int], None]:
    """A ``progress(done, total)`` callback that logs every tenth of the way to stderr."""
    last = [-1]

    def report(done: int, total: int) -> None:
        step = 10 * done // max(total, 1)
        if step != last[0]:
            last[0] = step
            sys.stderr.write(f"  {label}: {done}/{total}\n")

    return report
