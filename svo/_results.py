"""The typed results of reading and scoring surveys: :class:`Survey`, :class:`SurveyReport`,
:class:`ScoreReport` and :class:`Problem`.

Readers and scorers return their data together with what they found about it in one of these
frozen dataclasses — never as side data in ``DataFrame.attrs``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._items import N_ITEMS

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Problem", "ScoreReport", "Survey", "SurveyReport"]

_ITEM_COLUMN = re.compile(r"^item\d+(_self|_other)?$")  # answers, not demographics


@dataclass(frozen=True)
class Problem:
    """One answer that could not be scored: where it is and what was wrong.

    Attributes
    ----------
    row : int
        0-based position of the respondent in the input.
    respondent : object
        The respondent's label (the DataFrame index; the row number for arrays).
    column : str
        The column as named in the input, e.g. ``'item4'``; for allocations the cell's column
        (``'item4_other'``) when a cell is not a number, both (``'item4_self/item4_other'``)
        when the pair is off the item's line or half missing.
    value : object
        The offending value as given.
    message : str
        What was wrong and what was expected.
    """

    row: int
    respondent: Any
    column: str
    value: Any
    message: str

    def __str__(self) -> str:
        who = "" if self.respondent == self.row else f" (respondent {self.respondent!r})"
        return f"row {self.row}{who}, column {self.column!r}: {self.message}"


@dataclass(frozen=True)
class ScoreReport:
    """What :func:`svo.score_report` returns: the scores and what could not be scored.

    Attributes
    ----------
    scores : pandas.DataFrame
        The table :func:`svo.score` returns (one row per respondent kept).
    incomplete : tuple
        Labels of the respondents kept without all six primary answers (no angle).
    dropped : tuple of Problem
        Under ``errors='coerce'``, one :class:`Problem` per answer of the respondents dropped.

    Examples
    --------
    >>> import svo
    >>> result = svo.score_report([[0, 8, 8, 3, 4, 8], [0, 8, 8, 3, 4, None],
    ...                            [0, 8, 8, 3, 4, 11]], errors="coerce")
    >>> result.scores.index.tolist(), result.incomplete, result.n_dropped
    ([0, 1], (1,), 1)
    >>> print(result.dropped[0])
    row 2, column 'item6': option 11 is not an option index; expected an integer in 0–8
    """

    scores: pd.DataFrame
    incomplete: tuple = ()
    dropped: tuple[Problem, ...] = ()

    @property
    def n_dropped(self) -> int:
        """Number of respondents dropped."""
        return len({p.row for p in self.dropped})


@dataclass(frozen=True)
class SurveyReport:
    """What :func:`svo.read_survey` or :func:`svo.check_survey` found in a survey.

    Attributes
    ----------
    source : str
        The file as the user named it (or ``'<DataFrame>'``, ``'<bytes>'``).
    n_rows : int
        Data rows in the source (blank lines not counted; in the long format, answer rows).
    n_scorable : int
        Respondents kept with all six primary answers (those :func:`svo.score` gives an angle).
    n_complete : int
        Respondents kept who answered all 15 items (0 when the survey has only the primary
        items).
    incomplete : tuple
        Ids of the respondents kept without all six primary answers.
    dropped : tuple of Problem
        Under ``errors='coerce'``, one :class:`svo.Problem` per problem of a dropped respondent
        (``row`` is the 0-based data row in the source; the message names the file's line).
    n_respondents : int
        Respondents in the returned table.
    n_items : int
        Items in the table: 6 (primary only) or 15.
    format : str
        ``'wide'`` or ``'long'``, as read.

    Examples
    --------
    >>> import pandas as pd, svo
    >>> survey = svo.check_survey(pd.DataFrame({
    ...     "respondent": ["a", "b"], "item1": [0, 8], "item2": [8, 8], "item3": [8, 8],
    ...     "item4": [3, 8], "item5": [4, None], "item6": [8, 0]}))
    >>> (survey.report.n_scorable, survey.report.incomplete)
    (1, ('b',))
    """

    source: str
    n_rows: int
    n_scorable: int
    n_complete: int
    incomplete: tuple = ()
    dropped: tuple[Problem, ...] = ()
    n_respondents: int = 0
    n_items: int = N_ITEMS
    format: str = "wide"

    @property
    def n_dropped(self) -> int:
        """Number of respondents dropped (rows without an id count one each)."""
        return len({p.row if p.respondent is None else ("id", p.respondent) for p in self.dropped})

    def summary(self) -> str:
        """A few lines for people: counts, the incomplete ids and the dropped respondents.

        Examples
        --------
        >>> from svo import SurveyReport
        >>> print(SurveyReport("s.csv", 3, 2, 1, ("r3",), n_respondents=3).summary())
        s.csv (wide, 3 rows): 3 respondents: 2 scorable, 1 answered all 15 items
        1 incomplete (a primary answer missing; kept, not scored): r3
        0 dropped
        """
        items = (f"{self.n_complete} answered all 15 items" if self.n_items == N_ITEMS
                 else "primary items only")
        lines = [
            f"{self.source} ({self.format}, {self.n_rows} rows): {self.n_respondents} "
            f"respondents: {self.n_scorable} scorable, {items}",
            f"{len(self.incomplete)} incomplete (a primary answer missing; kept, not scored)"
            + (f": {_listing(self.incomplete, 10)}" if self.incomplete else ""),
            f"{self.n_dropped} dropped" + (" (bad answers):" if self.dropped else ""),
        ]
        lines += [f"  {_describe(p)}" for p in self.dropped[:10]]
        if len(self.dropped) > 10:
            lines.append(f"  … and {len(self.dropped) - 10} more problems (report.to_frame())")
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        """The dropped problems as a DataFrame: row, respondent, column, value, message.

        Examples
        --------
        >>> from svo import SurveyReport
        >>> list(SurveyReport("s.csv", 0, 0, 0).to_frame().columns)
        ['row', 'respondent', 'column', 'value', 'message']
        """
        import pandas as pd

        columns = ["row", "respondent", "column", "value", "message"]
        return pd.DataFrame([[getattr(p, c) for c in columns] for p in self.dropped],
                            columns=columns)


@dataclass(frozen=True)
class Survey:
    """A validated survey: the answers and the report of what was found reading them.

    Returned by :func:`svo.read_survey` and :func:`svo.check_survey`; :func:`svo.score`,
    :func:`svo.score_report` and :func:`svo.scored_table` take it as it is.

    Attributes
    ----------
    data : pandas.DataFrame
        Indexed by respondent id (index name ``'respondent'``): the survey's other columns
        (demographics) as read, then the item columns as floats (option indices 0–8, NaN =
        missing; or ``item1_self``, ``item1_other``, … payoffs).
    report : SurveyReport
        Counts, incomplete respondents and (``errors='coerce'``) the dropped ones.

    Examples
    --------
    >>> import svo
    >>> survey = svo.read_survey(b"respondent,group,item1,item2,item3,item4,item5,item6\\n"
    ...                          b"r1,A,0,8,8,3,4,8\\n", name="s.csv")
    >>> survey.demographics, survey.item_columns[:2], survey.report.source
    (['group'], ['item1', 'item2'], 's.csv')
    """

    data: pd.DataFrame
    report: SurveyReport

    @property
    def item_columns(self) -> list[str]:
        """The answer columns of :attr:`data` (``item1`` … or ``item1_self``, …)."""
        return [str(c) for c in self.data.columns if _ITEM_COLUMN.match(str(c))]

    @property
    def demographics(self) -> list[Any]:
        """The other columns of :attr:`data`, as labelled in the source, in its order."""
        return demographic_columns(self.data.columns)

    def __len__(self) -> int:
        return len(self.data)


def demographic_columns(columns: Any) -> list[Any]:
    """The columns that are not answers (``item1`` …, ``item1_self`` …), in order.

    >>> demographic_columns(["group", "item1", "item1_self", "age"])
    ['group', 'age']
    """
    return [c for c in columns if not _ITEM_COLUMN.match(str(c))]


def _listing(values: Any, limit: int) -> str:
    values = list(values)
    shown = ", ".join(str(v) for v in values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "")


def _describe(problem: Problem) -> str:
    who = "" if problem.respondent is None else f"respondent {problem.respondent!r}, "
    return f"{who}column {problem.column!r}: {problem.message}"
