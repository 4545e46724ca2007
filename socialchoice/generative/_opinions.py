"""Free-text opinions and candidate statements read from CSV files, checked row by row.

These readers feed :func:`~socialchoice.generative.build_slate` (the pipeline of
``collective slate`` and of the app's Slate page). Rows are counted from the header
(row 1), as a spreadsheet shows them, so every message points at the row to fix.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path

from .._errors import GenerativeError

__all__ = ["DEMO_FOLDER", "Opinions", "Pool", "pool_from_opinions", "read_opinions", "read_pool"]

#: The shipped demo data set (``opinions.csv``, ``pool.csv``, ``question.txt``).
DEMO_FOLDER = Path(__file__).resolve().parents[2] / "data" / "assistant_opinions"

Source = str | os.PathLike[str] | bytes


@dataclass(frozen=True)
class Opinions:
    """Participants and their opinions, read from a CSV (``name`` is used in messages).

    Attributes
    ----------
    participants : tuple of str
        Unique participant ids; participant ``i`` is agent ``i`` of the slate.
    texts : tuple of str
        Their opinions, non-empty.
    name : str
        How messages call the source (usually its file name).
    question : str or None
        The question the opinions answer (:func:`read_opinions` takes it from a
        ``question.txt`` beside the CSV file), or None when unknown.

    Examples
    --------
    >>> ops = Opinions(("ann", "bob"), ("Be kind.", "Be brief."))
    >>> len(ops), ops.name, ops.question
    (2, 'opinions', None)
    """

    participants: tuple[str, ...]
    texts: tuple[str, ...]
    name: str = "opinions"
    question: str | None = None

    def __len__(self) -> int:
        return len(self.texts)


@dataclass(frozen=True)
class Pool:
    """Candidate statements with their ids (``statement_id`` column or row numbers).

    Attributes
    ----------
    ids : tuple of str
        One id per statement.
    statements : tuple of str
        The candidate statements, non-empty and unique.
    name : str
        How messages and the audit call the pool.

    Examples
    --------
    >>> pool = Pool(("s1", "s2"), ("Be kind.", "Be brief."))
    >>> len(pool), pool.name
    (2, 'pool')
    """

    ids: tuple[str, ...]
    statements: tuple[str, ...]
    name: str = "pool"

    def __len__(self) -> int:
        return len(self.statements)


def _rows_of(source: Source, name: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and data rows ``(row number, cells)``; rows count from the header (row 1)."""
    if isinstance(source, (bytes, bytearray)):
        raw = bytes(source)
    else:
        try:
            raw = Path(source).read_bytes()
        except FileNotFoundError:
            raise GenerativeError(f"{name}: no such file.") from None
        except OSError as exc:
            raise GenerativeError(f"{name} could not be read: {exc.strerror}.") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GenerativeError(
            f"{name} is not UTF-8 text (byte {exc.start}); save it as a UTF-8 CSV file."
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    try:
        for number, cells in enumerate(reader, 1):
            if header is None:
                header = [c.strip() for c in cells]
                if not any(header):
                    raise GenerativeError(
                        f"{name}: row 1 must be a header with the column names; it is empty."
                    )
            elif any(c.strip() for c in cells):
                if len(cells) > len(header):
                    raise GenerativeError(
                        f"{name}: row {number} has {len(cells)} cells but the header has "
                        f"{len(header)} columns; put texts that contain commas in double quotes."
                    )
                rows.append((number, cells + [""] * (len(header) - len(cells))))
    except csv.Error as exc:
        raise GenerativeError(f"{name}: row {reader.line_num} is not valid CSV: {exc}.") from None
    if header is None:
        raise GenerativeError(f"{name} is empty; it needs a header row and one row per entry.")
    if not rows:
        raise GenerativeError(f"{name} has a header but no data rows.")
    return header, rows


def _column(header: list[str], column: str, name: str, what: str) -> int:
    if column in header:
        return header.index(column)
    folded = [h.casefold() for h in header]
    if column.casefold() in folded:
        return folded.index(column.casefold())
    found = ", ".join(repr(h) for h in header)
    raise GenerativeError(f"{name} has no column {column!r} ({what}); its columns are {found}.")


def _rows_list(numbers: list[int]) -> str:
    shown = ", ".join(str(r) for r in numbers[:10])
    more = f" and {len(numbers) - 10} more" if len(numbers) > 10 else ""
    return f"row{'s' if len(numbers) > 1 else ''} {shown}{more}"


def _texts(
    rows: list[tuple[int, list[str]]], j: int, column: str, name: str, what: str
) -> list[str]:
    texts = [cells[j].strip() for _, cells in rows]
    empty = [number for (number, _), t in zip(rows, texts, strict=True) if not t]
    if empty:
        raise GenerativeError(
            f"{name}: column {column!r} is empty on {_rows_list(empty)} (the header is row 1); "
            f"every row needs {what}."
        )
    return texts


def _unique(ids: list[str], rows: list[tuple[int, list[str]]], column: str, name: str) -> None:
    first: dict[str, int] = {}
    for value, (number, _) in zip(ids, rows, strict=True):
        if value in first:
            raise GenerativeError(
                f"{name}: column {column!r} must not repeat values; {value!r} is on rows "
                f"{first[value]} and {number}."
            )
        first[value] = number


#: The file beside an opinions CSV that holds the question the opinions answer.
QUESTION_FILE = "question.txt"


def _question_beside(source: Source) -> str | None:
    """The stripped text of ``question.txt`` beside the file ``source`` (None: none, or empty)."""
    if isinstance(source, (bytes, bytearray)):
        return None
    path = Path(source).parent / QUESTION_FILE
    if not path.is_file():
        return None
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise GenerativeError(f"{path} could not be read: {exc.strerror}.") from None
    except UnicodeDecodeError as exc:
        raise GenerativeError(
            f"{path} is not UTF-8 text (byte {exc.start}); save it as UTF-8 text."
        ) from None
    return text.strip() or None


def read_opinions(
    source: Source,
    *,
    opinion_column: str = "opinion",
    id_column: str | None = None,
    name: str | None = None,
) -> Opinions:
    """Read participants' free-text opinions from a CSV file (path) or its bytes.

    Parameters
    ----------
    source : path or bytes
        A UTF-8 CSV file with a header row (a byte-order mark is fine).
    opinion_column : str
        The column with the opinions (matched exactly, else ignoring case).
    id_column : str, optional
        The column with unique participant ids. By default ``participant`` when the file
        has that column, else the participants are numbered ``1..n``.
    name : str, optional
        How messages call the file (default: its file name).

    Returns
    -------
    Opinions
        With ``question`` the stripped text of a ``question.txt`` in the same folder as
        the file, when there is one and it is not blank (None for bytes).

    Raises
    ------
    socialchoice.GenerativeError
        The file is missing, not UTF-8 or not CSV, a column is missing (the message lists
        the columns found), an opinion or id is empty (the message lists the rows, counting
        the header as row 1), ids repeat, or a row has more cells than the header; or
        ``question.txt`` is not UTF-8 text.

    References
    ----------
    .. [1] S. Fish et al., 'Generative Social Choice', arXiv:2309.01291 (2023), §5 (the
       pilot's free-text opinions).

    Examples
    --------
    >>> ops = read_opinions(b"participant,opinion\\nann,Be kind.\\nbob,Be brief.\\n")
    >>> ops.participants, ops.texts
    (('ann', 'bob'), ('Be kind.', 'Be brief.'))
    >>> read_opinions(DEMO_FOLDER / "opinions.csv").question[:40]
    'When a user asks an AI assistant for hel'
    >>> read_opinions(b"participant,text\\nann,Be kind.\\n", name="mine.csv")
    Traceback (most recent call last):
    ...
    socialchoice._errors.GenerativeError: mine.csv has no column 'opinion' (the opinions); ...
    """
    name = name or (Path(source).name if not isinstance(source, (bytes, bytearray)) else "opinions")
    header, rows = _rows_of(source, name)
    j = _column(header, opinion_column, name, "the opinions")
    texts = _texts(rows, j, header[j], name, "an opinion")
    if id_column is None and "participant" not in header:
        ids = [str(i) for i in range(1, len(rows) + 1)]
    else:
        c = _column(header, id_column or "participant", name, "the participant ids")
        ids = _texts(rows, c, header[c], name, "a participant id")
        _unique(ids, rows, header[c], name)
    return Opinions(tuple(ids), tuple(texts), name, _question_beside(source))


def read_pool(
    source: Source,
    *,
    statement_column: str = "statement",
    id_column: str = "statement_id",
    name: str | None = None,
) -> Pool:
    """Read candidate statements from a CSV file (path) or its bytes.

    Statements must be non-empty and unique. Ids come from ``id_column`` when the file has
    it, else the statements are numbered ``1..C``.

    Parameters
    ----------
    source : path or bytes
        A UTF-8 CSV file with a header row.
    statement_column : str
        The column with the statements (matched exactly, else ignoring case).
    id_column : str
        The column with the statement ids, used when present.
    name : str, optional
        How messages call the file (default: its file name).

    Returns
    -------
    Pool

    Raises
    ------
    socialchoice.GenerativeError
        As :func:`read_opinions`, for the statement column; or a statement repeats.

    References
    ----------
    .. [1] S. Fish et al., 'Generative Social Choice', arXiv:2309.01291 (2023), §3 (a finite
       pool of statements as an exact oracle).

    Examples
    --------
    >>> read_pool(b"statement\\nBe kind.\\nBe brief.\\n").statements
    ('Be kind.', 'Be brief.')
    >>> read_pool(b"statement_id,statement\\ns7,Be kind.\\n").ids
    ('s7',)
    """
    name = name or (Path(source).name if not isinstance(source, (bytes, bytearray)) else "pool")
    header, rows = _rows_of(source, name)
    j = _column(header, statement_column, name, "the statements")
    texts = _texts(rows, j, header[j], name, "a statement")
    _unique(texts, rows, header[j], name)
    if id_column in header:
        ids = [cells[header.index(id_column)].strip() for _, cells in rows]
    else:
        ids = [str(i) for i in range(1, len(rows) + 1)]
    return Pool(tuple(ids), tuple(texts), name)


def pool_from_opinions(opinions: Opinions) -> Pool:
    """Each distinct opinion as a candidate statement, with its (first) author as its id.

    Fish et al.'s pilot let each participant's own opinion compete as a statement; this is
    the pool :func:`~socialchoice.generative.build_slate` uses when none is given.

    Parameters
    ----------
    opinions : Opinions

    Returns
    -------
    Pool
        Named ``"the opinions of <opinions.name>"``.

    References
    ----------
    .. [1] S. Fish et al., 'Generative Social Choice', arXiv:2309.01291 (2023), §5.

    Examples
    --------
    >>> pool_from_opinions(Opinions(("a", "b", "c"), ("Yes.", "No.", "Yes."))).ids
    ('a', 'b')
    """
    first = dict(zip(opinions.texts[::-1], opinions.participants[::-1], strict=True))
    texts = tuple(dict.fromkeys(opinions.texts))
    return Pool(tuple(first[t] for t in texts), texts, f"the opinions of {opinions.name}")
