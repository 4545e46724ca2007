"""The one progress protocol: ``progress(done, total)``.

Long functions take ``progress: Progress = None`` and call it with the number of work units
done so far and the total, first with ``(0, total)`` and last with ``(total, total)``. The CLI
draws it with rich, the app with ``st.progress``; library code never draws anything itself.

>>> seen = []
>>> for _ in steps(3, lambda done, total: seen.append((done, total))):
...     pass
>>> seen
[(0, 3), (1, 3), (2, 3), (3, 3)]
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

__all__ = ["Progress", "report", "steps"]

Progress = Callable[[int, int], None] | None


def report(progress: Progress, done: int, total: int) -> None:
    """Call ``progress(done, total)`` if a callback was given.

    >>> report(None, 1, 2)  # no callback: nothing happens
    """
    if progress is not None:
        progress(int(done), int(total))


def steps(total: int, progress: Progress) -> Iterator[tuple[int, int]]:
    """Yield ``(i, total)`` for each of ``total`` units, reporting ``(0, total)`` first and
    ``(i + 1, total)`` after each unit is done."""
    report(progress, 0, total)
    for i in range(total):
        yield i, total
        report(progress, i + 1, total)
