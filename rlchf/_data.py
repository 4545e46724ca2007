"""Long-form preference data of many annotators: :class:`PreferenceData`.

Two shapes, said explicitly (``kind``), never guessed from the columns:

* ``"pairwise"``: ``prompt_id, prompt, response_a, response_b, label, annotator_id`` with
  ``label`` in {1, 0, 0.5} (1: ``response_a`` preferred, 0: ``response_b``, 0.5: a tie);
* ``"ranking"``: ``prompt_id, prompt, response_id, response, annotator_id, rank`` (0 = best,
  ties share a rank) or ``rating`` instead of ``rank`` (higher = better).

Both carry annotator feature columns declared with ``features=``. See
:meth:`PreferenceData.from_pandas` for every rule the data is checked against.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._codes import Codes
from ._errors import PreferenceDataError
from ._validate import check_kind_features, validate

__all__ = ["PreferenceData"]


class PreferenceData:
    """Validated long-form preference judgments.

    ``PreferenceData(df, kind, features)`` and :meth:`PreferenceData.from_pandas` are the
    same constructor; :func:`rlchf.read_preferences` and :meth:`from_dataset` read files and
    Hugging Face datasets.

    Attributes
    ----------
    kind : str
        ``"pairwise"`` or ``"ranking"``.
    features : tuple of str
        The declared annotator feature columns.

    Examples
    --------
    >>> import pandas as pd
    >>> from rlchf import PreferenceData
    >>> df = pd.DataFrame({
    ...     "prompt_id": ["p1"] * 4, "prompt": ["Greet me."] * 4,
    ...     "response_id": ["r1", "r2"] * 2, "response": ["Hi!", "Hello there."] * 2,
    ...     "annotator_id": ["ann", "ann", "bob", "bob"], "rank": [0, 1, 1, 0],
    ...     "age": [31, 31, 64, 64]})
    >>> data = PreferenceData.from_pandas(df, kind="ranking", features=["age"])
    >>> data
    PreferenceData(kind='ranking', 4 rows, 1 prompts, 2 annotators, features=('age',))
    >>> data.to_pairwise().frame[["response_a", "response_b", "label", "age"]]
      response_a    response_b  label  age
    0        Hi!  Hello there.    1.0   31
    1        Hi!  Hello there.    0.0   64
    """

    __slots__ = ("_features", "_frame", "_kind", "_known")

    def __init__(
        self,
        df: pd.DataFrame,
        kind: str,
        features: Sequence[str] = (),
        *,
        strict_ranks: bool = False,
        annotators: pd.DataFrame | None = None,
        name: str | None = None,
    ) -> None:
        """Validate ``df``; the same as :meth:`from_pandas` (which documents the rules)."""
        kind, feats = check_kind_features(kind, features, "PreferenceData")
        if not isinstance(strict_ranks, bool):
            raise PreferenceDataError(
                "The 'strict_ranks' parameter of PreferenceData must be True or False. "
                f"Got {strict_ranks!r} instead.")
        #: codes validation computed (column -> (codes, count)), reused by aggregate_pairs
        self._known: dict[str, tuple[np.ndarray, int]] = {}
        self._frame = validate(df, kind, feats, strict_ranks=strict_ranks,
                               annotators=annotators,
                               name=name if name is not None else "the data", known=self._known)
        self._kind = kind
        self._features = feats

    @classmethod
    def _valid(cls, frame: pd.DataFrame, kind: str, features: tuple[str, ...]) -> PreferenceData:
        """Wrap a frame that is valid by construction (no checks; for this package)."""
        data = cls.__new__(cls)
        data._frame, data._kind, data._features = frame, kind, features
        data._known = {}
        return data

    @classmethod
    def from_pandas(
        cls,
        df: pd.DataFrame,
        kind: str,
        features: Sequence[str] = (),
        *,
        strict_ranks: bool = False,
        annotators: pd.DataFrame | None = None,
        name: str | None = None,
    ) -> PreferenceData:
        """Validate a long-form :class:`pandas.DataFrame` of judgments.

        Parameters
        ----------
        df : pandas.DataFrame
            One judgment per row (pairwise) or one ranked response per row (ranking); the
            columns are listed in the module docstring. Undeclared columns are kept in
            :attr:`frame` but never used.
        kind : {"pairwise", "ranking"}
            The shape of ``df``, said explicitly; columns of the other shape are an error.
        features : sequence of str
            Annotator feature columns (categorical or numeric), constant per annotator.
        strict_ranks : bool
            Ranking data only: each annotator's ranks of a prompt must be exactly
            0, 1, ..., k-1 (no ties, no gaps). Otherwise ties are allowed and gaps are
            closed (ranks are stored as dense ranks 0, 1, ... within each annotator's
            ranking of a prompt, order kept).
        annotators : pandas.DataFrame, optional
            An annotator table: ``annotator_id`` and declared feature columns, one row per
            annotator; its features are joined onto the judgments (a feature may be in the
            table or in ``df``, not both; other table columns are not copied). Every
            annotator of the table must have judgments and every judgment's annotator must
            be in the table.
        name : str, optional
            The name messages use for the data (readers pass the file's name).

        Returns
        -------
        PreferenceData

        Raises
        ------
        PreferenceDataError
            The message names the row (0-based position among the data rows, the file's
            header not counted) and the column: a missing column or declared feature, columns
            of both shapes, an empty value (NaN, None, or a blank id — an annotator with no
            identity has no judgments), text columns that are not text, a label outside
            {0, 0.5, 1}, ``response_a == response_b``, one prompt text per ``prompt_id``
            (and one text per response id), a feature that varies within one annotator, a
            negative or fractional rank, a prompt with a single response, an annotator who
            ranks one response of a prompt (a row without a preference) or the same
            response twice, and with ``strict_ranks`` ties or gaps. With ``annotators``:
            an empty or repeated id or empty feature in the table (named by its 0-based
            row), a judgment by an annotator not in the table, and an annotator of the table
            with no judgments.

            "An annotator with no judgments" has two faces in long data: a row whose
            ``annotator_id`` is empty (a judgment nobody can be credited with) and an
            annotator listed in the ``annotators`` table without a row; both are errors.

        Notes
        -----
        ``rating`` instead of ``rank``: ``rank`` is the dense rank of ``-rating`` within
        each (prompt_id, annotator_id), and ``rating`` is kept. With both, ``rank`` is used
        and ``rating`` kept as data. The same annotator may judge the same pair twice
        (repeated judgments are data).

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"prompt_id": [1], "prompt": ["Q"], "response_a": ["x"],
        ...                    "response_b": ["y"], "label": [2], "annotator_id": ["a"]})
        >>> PreferenceData.from_pandas(df, kind="pairwise", name="prefs.csv")
        Traceback (most recent call last):
        ...
        rlchf._errors.PreferenceDataError: Row 0 of prefs.csv: the 'label' column must be 1, 0 or
        0.5. Got 2 instead.
        """
        return cls(df, kind, features, strict_ranks=strict_ranks, annotators=annotators,
                   name=name)

    @classmethod
    def from_dataset(
        cls,
        dataset: Any,
        kind: str,
        features: Sequence[str] = (),
        *,
        strict_ranks: bool = False,
    ) -> PreferenceData:
        """Validate a Hugging Face ``datasets.Dataset`` (see :func:`rlchf._io.from_dataset`).

        ``datasets`` is imported on first use; the columns are those of :meth:`from_pandas`.
        """
        from ._io import from_dataset

        return from_dataset(dataset, kind, features, strict_ranks=strict_ranks)

    @property
    def kind(self) -> str:
        """``"pairwise"`` or ``"ranking"``."""
        return self._kind

    @property
    def features(self) -> tuple[str, ...]:
        """The declared annotator feature columns."""
        return self._features

    @property
    def frame(self) -> pd.DataFrame:
        """The validated data (a copy-on-write view; changing it leaves this object intact).

        Required columns come first, then the features, then undeclared columns. ``label``
        is a float in {0, 0.5, 1}; ``rank`` an int (0 = best); the index is ``0..n-1``.
        """
        return self._frame.copy(deep=False)

    @property
    def prompt_ids(self) -> np.ndarray:
        """The distinct prompt ids in order of first appearance."""
        return pd.unique(self._frame["prompt_id"])

    def __len__(self) -> int:
        return len(self._frame)

    def __repr__(self) -> str:
        f = self._frame
        return (f"PreferenceData(kind={self._kind!r}, {len(f)} rows, "
                f"{f['prompt_id'].nunique()} prompts, {f['annotator_id'].nunique()} annotators, "
                f"features={self._features!r})")

    def annotators(self) -> pd.DataFrame:
        """One row per annotator: ``annotator_id`` and the feature columns.

        Annotators come in order of first appearance (features are constant per annotator;
        :meth:`from_pandas` checked that).

        >>> import pandas as pd
        >>> df = pd.DataFrame({"prompt_id": [1, 1], "prompt": ["Q", "Q"],
        ...     "response_a": ["x", "x"], "response_b": ["y", "y"], "label": [1, 0.5],
        ...     "annotator_id": ["a", "b"], "region": ["north", "south"]})
        >>> PreferenceData.from_pandas(df, "pairwise", ["region"]).annotators()
          annotator_id region
        0            a  north
        1            b  south
        """
        cols = ["annotator_id", *self._features]
        return self._frame[cols].drop_duplicates("annotator_id").reset_index(drop=True)

    def to_pairwise(self) -> PreferenceData:
        """Every pair of responses each annotator ranked, as pairwise data.

        Within each (prompt_id, annotator_id), every two ranked responses give one row:
        ``response_a`` is the one that comes first in :attr:`frame`, ``label`` is 1 if it is
        ranked above ``response_b``, 0 if below, 0.5 for a tie. Features are carried, and
        ``response_a_id`` / ``response_b_id`` name the responses; rows are ordered by the
        position of ``response_a`` then ``response_b``. Other undeclared columns are not
        carried (a pair joins two rows). Pairwise data is returned as is.

        >>> import pandas as pd
        >>> df = pd.DataFrame({"prompt_id": 1, "prompt": "Q", "response_id": [1, 2, 3],
        ...     "response": ["x", "y", "z"], "annotator_id": "a", "rank": [1, 0, 1]})
        >>> pairs = PreferenceData.from_pandas(df, "ranking").to_pairwise()
        >>> pairs.frame[["response_a", "response_b", "label"]]
          response_a response_b  label
        0          x          y    0.0
        1          x          z    0.5
        2          y          z    1.0
        """
        if self._kind == "pairwise":
            return self
        f = self._frame
        a, b = _pair_rows(f)
        rank = f["rank"].to_numpy()
        ra, rb = rank[a], rank[b]
        label = np.where(ra < rb, 1.0, np.where(ra > rb, 0.0, 0.5))

        def take(col: str, rows: np.ndarray) -> pd.Series:
            return f[col].take(rows).reset_index(drop=True)

        columns = {
            "prompt_id": take("prompt_id", a),
            "prompt": take("prompt", a),
            "response_a": take("response", a),
            "response_b": take("response", b),
            "label": label,
            "annotator_id": take("annotator_id", a),
            **{feat: take(feat, a) for feat in self._features},
            "response_a_id": take("response_id", a),
            "response_b_id": take("response_id", b),
        }
        out = pd.DataFrame(columns, copy=False)  # fresh arrays: no consolidating copy
        return PreferenceData._valid(out, "pairwise", self._features)


def _pair_rows(f: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Row positions (a, b), a < b, of every two rows sharing (prompt_id, annotator_id).

    Groups are handled in batches of equal size with :func:`numpy.triu_indices`.
    """
    codes, _ = Codes(f)("prompt_id", "annotator_id")
    order = np.argsort(codes, kind="stable")
    sizes = np.bincount(codes)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    parts_a, parts_b = [], []
    for k in np.unique(sizes):
        i, j = np.triu_indices(int(k), 1)
        base = starts[sizes == k][:, None]
        parts_a.append(order[base + i].ravel())
        parts_b.append(order[base + j].ravel())
    if not parts_a:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    a, b = np.concatenate(parts_a), np.concatenate(parts_b)
    keep = np.lexsort((b, a))
    return a[keep], b[keep]


def _check_data(data: Any, func: str) -> PreferenceData:
    """``data`` if it is :class:`PreferenceData`, else a typed error."""
    if not isinstance(data, PreferenceData):
        raise PreferenceDataError(
            f"The 'data' parameter of {func} must be a PreferenceData (see "
            f"PreferenceData.from_pandas). Got {type(data).__name__} instead.")
    return data
