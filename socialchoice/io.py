"""Reading and writing profiles: PrefLib ordinal files and CSV ballot files.

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

CSV ballots
-----------
Two layouts, told apart by the first row (delimiter: ``,``, else tab, else ``;``, whichever
the first line contains first in that order; blank lines are skipped):

*Ranked list* — one ballot per row, each cell a candidate, best first. A cell ``b=c`` is a
tier of tied candidates; trailing blank cells mean the rest is unranked (a blank cell
before a filled one is an error). The first row is a header exactly when its first cell is
``count`` or ``voter`` (any case), or when every non-blank cell is ``count``, ``voter`` or a
rank-column name: ``rank1``/``rank 1``/``choice 2``/``pref3``/``preference 4`` or
``1st``, ``2nd``, ``3rd``, ``4th``... (optionally followed by ``choice``/``place``). With a
header, a ``count`` column gives each row's number of voters and a ``voter`` column is an
ignored identifier. Without a header every cell is a candidate.

*Rank matrix* — a header row of candidate names (plus optional ``count``/``voter``
columns), then one row per ballot with each candidate's position: a positive integer,
1 = best, equal numbers = tied, blank = unranked. A first row is read as such a header when
it starts with ``count``/``voter`` and its other cells are not rank-column names, or when it
has a cell that is not an integer, no cell containing ``=``, no repeated cell, and every
later row holds only integers and blanks.

Labels are strings, or ``int`` when every label in the file is an integer. Errors are
:class:`~socialchoice.ProfileError` naming the row (line) and column (1-based).

References
----------
.. [1] N. Mattei and T. Walsh, "PrefLib: A Library for Preferences", ADT 2013, §2 (formats);
   the PrefLib 2 format page and ``preflibtools.instances.OrdinalInstance``.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path

from ._csv import parse_ballots_csv, read_ballots_csv
from ._errors import ProfileError
from ._preflib import (
    PREFLIB_TYPES,
    format_preflib,
    parse_preflib,
    read_preflib,
    write_preflib,
)
from .profile import Profile

__all__ = [
    "PREFLIB_TYPES",
    "format_preflib",
    "parse_ballots_csv",
    "parse_preflib",
    "read_ballots_csv",
    "read_preflib",
    "read_profile",
    "write_preflib",
]


# ---------------------------------------------------------------------------- dispatch
def read_profile(path: str | PathLike[str]) -> Profile:
    """Read ballots from a file, choosing the reader by extension.

    ``.soc``, ``.soi``, ``.toc``, ``.toi`` → :func:`read_preflib`; ``.csv``, ``.txt`` →
    :func:`read_ballots_csv`.

    Parameters
    ----------
    path : path-like

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
    ext = Path(path).suffix.lower()
    if ext[1:] in PREFLIB_TYPES:
        return read_preflib(path)
    if ext in (".csv", ".txt"):
        return read_ballots_csv(path)
    raise ProfileError(f"{path}: unknown extension {ext or '(none)'!r}; expected one of "
                       ".soc, .soi, .toc, .toi (PrefLib) or .csv, .txt (CSV ballots).")
