"""Reading and writing profiles: PrefLib ordinal files and CSV ballot files.

Every reader takes a path, a file-like object or the file's bytes (an upload needs no
temporary file) and names the user's file in its errors (``name=`` overrides the name).
:func:`read_ballots` reads either format and returns a :class:`BallotFile`: the profile and
how it was read (format, CSV layout, header); :func:`read_profile`, :func:`read_preflib` and
:func:`read_ballots_csv` return the :class:`~socialchoice.Profile` alone.

PrefLib (``.soc``, ``.soi``, ``.toc``, ``.toi``)
------------------------------------------------
The ordinal formats of PrefLib 2 (Mattei & Walsh), as ``preflibtools`` implements them: a
header of ``# KEY: value`` lines, then one line per distinct order, ``count: 1,2,{3,4},5``
(best first; braces hold tied alternatives). ``soc`` = strict complete orders, ``soi`` =
strict incomplete, ``toc`` = complete with ties, ``toi`` = incomplete with ties. Unlisted
alternatives are below every listed one, tied with each other.

* Candidate labels are the ``ALTERNATIVE NAME`` values when every alternative has one and
  they are distinct; otherwise (and when every name just repeats its number, as files written
  by pref_voting do) the alternative numbers themselves, as ``int``.
* The whole header is kept in :attr:`Profile.metadata` with snake-case keys (``file_name``,
  ``title``, ``data_type``, ``number_voters``, ... plus any non-standard field);
  ``alternative_names`` maps number → name; the ``NUMBER ...`` fields are ``int``. Missing
  standard fields are filled in (text fields with ``""``), so read → write → read gives an
  equal profile and an equal metadata dict, and writing a parsed file reproduces its
  preference lines (in PrefLib's own spacing ``n: 1,2,{3,4}``, ties in ascending order).
* On reading, the data type is the file extension (or the ``DATA TYPE`` field when the name
  has no PrefLib extension) and every order is checked against it; on writing it is the most
  restrictive type that fits the ballots unless given.
* Numbers are checked against the data before anything is allocated: each count and the
  total are at most 2^53; without ``ALTERNATIVE NAME`` lines, ``NUMBER ALTERNATIVES`` may not
  exceed the highest alternative number the orders list (so a header claiming a billion
  alternatives is an error naming its line, not tens of GB of memory).

CSV ballots
-----------
Two layouts (delimiter: ``,``, else tab, else ``;``, whichever the first line contains first
in that order; blank lines are skipped; a cell may not span lines, so a quoted line break or a
quote never closed is an error naming the line where it opened):

*Ranked list* — one ballot per row, each cell a candidate, best first. A cell ``b=c`` is a
tier of tied candidates and a cell ``a>b=c>d`` a whole ballot (``>`` = preferred to), so
``alice>bob>carol`` on its own is a ballot (a cell that also holds ``<``, such as markup, is one
name); trailing blank cells mean the rest is unranked (a
blank cell before a filled one is an error). The first row is a header when its first cell is
``count`` or ``voter`` (any case), or when every non-blank cell is ``count``, ``voter`` or a
rank-column name: ``rank1``/``Rank 1``/``choice 2``/``pref3``/``preference #4``,
``1st``/``2nd choice``, ``First``/``Second choice``/``Top pick``... With a header, a ``count``
column gives each row's number of voters and a ``voter`` column is an ignored identifier.

*Rank matrix* — a header row of candidate names (plus optional ``count``/``voter``
columns), then one row per ballot with each candidate's position: a positive integer
(``2.0`` reads as 2), 1 = best, equal numbers = tied, blank = unranked.

Detection (``layout=None``): a file using ``>`` or with a rank-column header is a ranked list.
Otherwise it is a rank matrix when the first row could be candidate names (a cell that is
not an integer, no ``=``, no name twice — or a first cell ``count``/``voter``) and most later
cells are integers; a later cell that is not a rank is then an error naming its row and
column and suggesting ``layout="ranked"``. Everything else is a ranked list. When the first
row of a ranked list shares no candidate with the rows below, which do share candidates, it
may be a header the reader does not know: that is an error asking for ``header=True`` or
``header=False``. Pass ``layout="ranked"`` or ``layout="matrix"`` (and ``header=``) to skip
detection; :func:`read_ballots` reports the layout used, as does
``profile.metadata["csv_layout"]``.

Numbers: counts are finite and non-negative (fractions are weights), ranks at most 2^53, and
the total count of a file at most 2^53 (:data:`~socialchoice.profile.MAX_VOTERS`, the most
every rule counts exactly); larger numbers are errors naming the row, not overflows.
Labels are strings, or ``int`` when every label in the file is an integer. Errors are
:class:`~socialchoice.ProfileError` naming the file, row (line) and column (1-based).

References
----------
.. [1] N. Mattei and T. Walsh, "PrefLib: A Library for Preferences", ADT 2013, §2 (formats);
   the PrefLib 2 format page and ``preflibtools.instances.OrdinalInstance``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from _common.sources import Source, read_text, source_name
from _common.validation import check_choice

from ._csv import parse_ballots_csv, parse_csv, read_ballots_csv
from ._errors import PrefLibError, ProfileError
from ._preflib import parse_preflib, read_preflib
from ._preflib_write import PREFLIB_TYPES, format_preflib, write_preflib
from .profile import Profile

__all__ = [
    "FORMATS",
    "PREFLIB_TYPES",
    "BallotFile",
    "format_preflib",
    "parse_ballots_csv",
    "parse_preflib",
    "read_ballots",
    "read_ballots_csv",
    "read_preflib",
    "read_profile",
    "write_preflib",
]

#: The ballot file formats :func:`read_ballots` reads.
FORMATS = ("csv", "preflib")
_CSV_EXTENSIONS = (".csv", ".txt")
_PREFLIB_LINE = re.compile(r"\s*(?:#|[0-9]+\s*:)")
_LAYOUT_TEXT = {
    "ranked": "a ranked list (one ballot per row, best first)",
    "matrix": "a rank matrix (a header of candidate names, each row their positions)",
}


@dataclass(frozen=True)
class BallotFile:
    """A profile read from a ballot file, with how it was read.

    Attributes
    ----------
    profile : Profile
        The ballots.
    source : str
        The file's name as messages show it (``'<bytes>'`` for bare bytes).
    format : {"csv", "preflib"}
        The format read.
    layout : str
        For CSV the layout used, ``"ranked"`` or ``"matrix"``; for PrefLib the data type
        (``"soc"``, ``"soi"``, ``"toc"`` or ``"toi"``).
    header : bool
        Whether the first row was read as a header (always ``True`` for PrefLib).
    detected : bool
        Whether the format and layout were detected (``False`` when the caller gave them).
    """

    profile: Profile
    source: str
    format: str
    layout: str
    header: bool
    detected: bool

    @property
    def description(self) -> str:
        """One sentence saying how the file was read, for a page or a terminal.

        >>> print(read_ballots(b"a,b\\n1,2\\n2,1\\n", name="m.csv").description)
        m.csv: read as CSV, a rank matrix (a header of candidate names, each row their
        positions); layout detected.
        """
        how = (f"PrefLib ({self.layout})" if self.format == "preflib"
               else f"CSV, {_LAYOUT_TEXT[self.layout]}")
        given = "layout detected" if self.detected else "as given"
        return f"{self.source}: read as {how}; {given}."


def read_ballots(
    source: Source,
    *,
    format: str | None = None,
    layout: str | None = None,
    header: bool | None = None,
    name: str | None = None,
) -> BallotFile:
    """Read a ballot file (CSV or PrefLib) and report how it was read.

    Parameters
    ----------
    source : path-like, file-like or bytes
        The file: a path, an object with ``read()``, or its bytes.
    format : {None, "csv", "preflib"}, optional
        ``None`` chooses by extension (``.soc .soi .toc .toi`` PrefLib, ``.csv .txt`` CSV)
        and, for a name without one (bytes, an upload), by content: PrefLib when the first
        non-blank line starts with ``#`` or ``count:``.
    layout : {None, "ranked", "matrix"}, optional
        The CSV layout (ignored for PrefLib); ``None`` detects it when unambiguous.
    header : bool, optional
        Whether a CSV file's first row is a header; ``None`` detects it.
    name : str, optional
        The name messages use (and whose extension picks the format); default the path as
        given or a file object's name.

    Returns
    -------
    BallotFile
        ``profile``, ``format``, ``layout``, ``header``, ``detected`` and a ``description``.

    Raises
    ------
    ProfileError
        An unknown extension or format, a missing file, malformed CSV
        (:class:`~socialchoice.PrefLibError` for PrefLib files).

    References
    ----------
    .. [1] N. Mattei and T. Walsh, "PrefLib: A Library for Preferences", ADT 2013, §2.

    Examples
    --------
    >>> result = read_ballots(b"voter,x,y\\nann,1,2\\nbob,2,1\\n", name="upload.csv")
    >>> result.format, result.layout, result.profile.candidates
    ('csv', 'matrix', ('x', 'y'))
    >>> read_ballots(b"# DATA TYPE: soc\\n2: 1,2\\n").layout
    'soc'
    """
    check_choice(format, "format", "read_ballots", (None, *FORMATS), error=ProfileError)
    kind = format or _format_by_extension(source_name(source, name))
    error = PrefLibError if kind == "preflib" else ProfileError
    text, label = read_text(source, name=name, error=error)
    kind = kind or ("preflib" if _looks_like_preflib(text) else "csv")
    if kind == "preflib":
        profile = parse_preflib(text, source=label)
        return BallotFile(profile, label, "preflib", profile.metadata["data_type"], True,
                          format is None)
    profile, how = parse_csv(text, label, layout, header, "read_ballots")
    return BallotFile(profile, label, "csv", how.kind, how.header,
                      format is None and how.detected)


def _format_by_extension(label: str) -> str | None:
    """``'preflib'``, ``'csv'``, or ``None`` for a name without an extension."""
    ext = Path(label).suffix.lower() if not label.startswith("<") else ""
    if ext[1:] in PREFLIB_TYPES:
        return "preflib"
    if ext in _CSV_EXTENSIONS or not ext:
        return "csv" if ext else None
    raise ProfileError(f"{label}: unknown extension {ext!r}; expected one of .soc, .soi, .toc, "
                       ".toi (PrefLib) or .csv, .txt (CSV ballots), or format='csv' or "
                       "format='preflib'.")


def _looks_like_preflib(text: str) -> bool:
    """PrefLib files start with ``# FIELD: value`` header lines or ``count: order`` lines."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return bool(_PREFLIB_LINE.match(first)) and ":" in first


def read_profile(
    source: Source,
    *,
    format: str | None = None,
    layout: str | None = None,
    header: bool | None = None,
    name: str | None = None,
) -> Profile:
    """Read ballots from a file, choosing the reader by extension (or content).

    ``.soc``, ``.soi``, ``.toc``, ``.toi`` → :func:`read_preflib`; ``.csv``, ``.txt`` →
    :func:`read_ballots_csv`. The same as ``read_ballots(...).profile``; use
    :func:`read_ballots` to learn the layout used.

    Parameters
    ----------
    source : path-like, file-like or bytes
    format, layout, header, name
        As for :func:`read_ballots`.

    Returns
    -------
    Profile

    Raises
    ------
    ProfileError
        Unknown extension or malformed CSV (:class:`PrefLibError` for PrefLib files).

    References
    ----------
    .. [1] N. Mattei and T. Walsh, "PrefLib: A Library for Preferences", ADT 2013, §2.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from socialchoice import read_profile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     path = pathlib.Path(d, "b.csv")
    ...     _ = path.write_text("a,b,c\\nc,b,a\\na,c,b\\n")
    ...     read_profile(path).margin_matrix()
    array([[ 0,  1,  1],
           [-1,  0, -1],
           [-1,  1,  0]])
    """
    return read_ballots(source, format=format, layout=layout, header=header, name=name).profile
