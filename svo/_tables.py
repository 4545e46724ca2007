"""What every front end shows of a scored survey: the scored table and the summary.

:func:`scored_table` is the table the CLI writes (``--out``) and the app shows and offers for
download; :func:`summarize` is the category shares, mean angle and transitive share both
print. They live here so that the two front ends render the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ._errors import SVOError
from ._items import CATEGORIES
from ._results import Survey, demographic_columns
from ._score import SCORE_COLUMNS, score

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ScoreSummary", "scored_table", "summarize"]


def scored_table(survey: Any, scores: pd.DataFrame | None = None) -> pd.DataFrame:
    """The scored table: respondent id, the survey's other columns, then the scores.

    Parameters
    ----------
    survey : Survey or pandas.DataFrame
        A validated survey (:func:`svo.read_survey`, :func:`svo.check_survey`), or a table
        indexed by respondent with item columns and other (demographic) columns.
    scores : pandas.DataFrame, optional
        :func:`svo.score` of it (same index, or a subset of it: respondents dropped while
        scoring are left out); by default the survey is scored here.

    Returns
    -------
    pandas.DataFrame
        Columns ``respondent`` (the index name of the survey's table), every non-item column
        (demographics such as ``group``) in the survey's order, then ``mean_self``,
        ``mean_other``, ``angle``, ``category``, ``transitive``, ``ia_index``. Respondents
        with a missing primary answer keep their row with empty scores.

    Raises
    ------
    SVOError
        ``scores`` names respondents that are not in the survey.

    Examples
    --------
    >>> import svo
    >>> survey = svo.read_survey(b"respondent,group,item1,item2,item3,item4,item5,item6\\n"
    ...                          b"r1,a,0,8,0,0,8,8\\nr2,b,8,8,8,8,0,0\\n", name="s.csv")
    >>> table = svo.scored_table(survey)
    >>> list(table.columns)[:4], table["category"].tolist()
    (['respondent', 'group', 'mean_self', 'mean_other'], ['altruistic', 'individualistic'])
    """
    if isinstance(survey, Survey):
        data, demographics = survey.data, survey.demographics
    else:
        data, demographics = survey, demographic_columns(survey.columns)
    if scores is None:
        scores = score(data)
    unknown = scores.index.difference(data.index)
    if len(unknown):
        raise SVOError(
            f"The 'scores' parameter of scored_table names respondents that are not in the "
            f"survey, e.g. {unknown[0]!r}. Expected svo.score of the same survey."
        )
    name = data.index.name or "respondent"
    table = data.loc[scores.index, demographics].join(scores.loc[:, list(SCORE_COLUMNS)])
    table.index.name = name
    return table.reset_index()


@dataclass(frozen=True)
class ScoreSummary:
    """Category counts and shares, mean angle and transitive share of scored respondents.

    Attributes
    ----------
    n : int
        Respondents with an angle (those with a missing primary answer are left out).
    counts : dict
        Category -> number of respondents, in the order of :data:`svo.CATEGORIES`.
    angle_mean, angle_sd : float or None
        Mean and standard deviation (``ddof=1``) of the angles in degrees; ``None`` when
        there are too few respondents (0, or 1 for the deviation).
    transitive_share : float or None
        Share of the respondents whose primary answers are transitive.
    """

    n: int
    counts: dict[str, int]
    angle_mean: float | None
    angle_sd: float | None
    transitive_share: float | None

    @property
    def shares(self) -> dict[str, float | None]:
        """Category -> share of the ``n`` respondents (``None`` when ``n`` is 0)."""
        return {c: (k / self.n if self.n else None) for c, k in self.counts.items()}

    def to_dict(self) -> dict[str, Any]:
        """As JSON-ready values: ``n``, ``categories`` (category -> ``{"n", "share"}``),
        ``angle_mean``, ``angle_sd``, ``transitive_share``."""
        shares = self.shares
        return {
            "n": self.n,
            "categories": {c: {"n": k, "share": shares[c]} for c, k in self.counts.items()},
            "angle_mean": self.angle_mean,
            "angle_sd": self.angle_sd,
            "transitive_share": self.transitive_share,
        }


def summarize(scores: pd.DataFrame) -> ScoreSummary:
    """Category counts and shares, mean angle and transitive share of scored respondents.

    Parameters
    ----------
    scores : pandas.DataFrame
        :func:`svo.score` output (columns ``angle``, ``category``, ``transitive``).

    Returns
    -------
    ScoreSummary
        Over the respondents with an angle.

    References
    ----------
    Murphy, R. O., Ackermann, K. A., & Handgraaf, M. J. J. (2011). Measuring social value
    orientation. *Judgment and Decision Making*, 6(8), 771–781, §3 (categories, transitivity).

    Examples
    --------
    >>> import svo
    >>> s = svo.summarize(svo.score([[0, 8, 8, 3, 4, 8], [0, 8, 8, 3, 4, 8], [8, 8, 8, 8, 0, 0]]))
    >>> s.n, s.counts["prosocial"], round(s.angle_mean, 2), s.transitive_share
    (3, 2, 22.38, 1.0)
    >>> round(s.shares["prosocial"], 3)
    0.667
    """
    ok = scores[scores["angle"].notna()]
    n = len(ok)
    found = ok["category"].astype(object).value_counts()
    angles = ok["angle"].to_numpy(dtype=float)
    return ScoreSummary(
        n=n,
        counts={c: int(found.get(c, 0)) for c in CATEGORIES},
        angle_mean=float(np.mean(angles)) if n else None,
        angle_sd=float(np.std(angles, ddof=1)) if n > 1 else None,
        transitive_share=float(ok["transitive"].astype(float).mean()) if n else None,
    )
