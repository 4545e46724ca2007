"""Splitting CSV ballot text into rows (private; see :mod:`socialchoice.io`).

The delimiter is ``,``, else tab, else ``;`` (whichever the first non-blank line holds first);
blank rows are skipped. A cell may not span lines: a quoted line break in a name, or a quote
that is never closed (which would swallow the rest of the file), is an error naming the line
where the quote opened.
"""

from __future__ import annotations

import csv
import io

from ._errors import ProfileError

__all__ = ["Row", "split_rows"]

#: ``(line number where the row starts, its stripped cells)``.
Row = tuple[int, list[str]]


def split_rows(text: str, source: str) -> list[Row]:
    """The non-blank rows of ``text`` with the line each starts on (1-based).

    >>> split_rows("a,b\\n\\n c ;d\\n", "<string>")
    [(1, ['a', 'b']), (3, ['c ;d'])]
    >>> split_rows('a,"b\\n', "f.csv")
    Traceback (most recent call last):
    ...
    socialchoice._errors.ProfileError: f.csv, row 1, column 2: the quote opened on this line ...
    """
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ProfileError(f"{source}: the file is empty; expected ballots, one per row.")
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    delim = next((d for d in (",", "\t", ";") if d in first), ",")
    reader = csv.reader(io.StringIO(text), delimiter=delim, strict=True)
    rows: list[Row] = []
    start = 1
    try:
        for cells in reader:
            _check_one_line(cells, start, reader.line_num, source)
            cells = [c.strip() for c in cells]
            if any(cells):
                rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            raise _unclosed_quote(text, start, delim, source) from None
        raise ProfileError(f"{source}, row {reader.line_num}: {exc}; expected valid CSV.") from None
    if not rows:
        raise ProfileError(f"{source}: no ballots, only blank cells; expected at least one row "
                           "with a candidate or a rank.")
    return rows


def _unclosed_quote(text: str, start: int, delim: str, source: str) -> ProfileError:
    line = text.splitlines()[start - 1]
    column = len(next(csv.reader([line], delimiter=delim), [""]))
    return ProfileError(
        f"{source}, row {start}, column {column}: the quote opened on this line is never "
        "closed, so the cell would swallow the rest of the file; expected a closing '\"' on "
        "the same line (or no quote)."
    )


def _check_one_line(cells: list[str], start: int, end: int, source: str) -> None:
    for j, cell in enumerate(cells):
        if "\n" in cell or "\r" in cell:
            raise ProfileError(
                f"{source}, row {start}, column {j + 1}: the cell {cell[:40]!r} holds a line "
                f"break (a quoted cell over lines {start}-{end}); expected candidate names and "
                "every cell on one line."
            )
