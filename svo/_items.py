"""The fifteen slider items, the categories and the ideal types (Murphy et al. 2011).

The payoffs are the printed values of the paper form (version A), shipped as
``svo/data/svo_slider_items.json`` with their sources. The printed values are the 8-step linear
interpolation between the endpoints rounded half-up, which Python's ``round`` does not
reproduce, so they are read from the table rather than recomputed.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import TYPE_CHECKING, Final

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "CATEGORIES",
    "CATEGORY_BOUNDS",
    "IDEAL_ANGLES",
    "IDEAL_CHOICES",
    "ITEMS",
    "ITEM_COLUMNS",
    "N_ITEMS",
    "N_OPTIONS",
    "N_PRIMARY",
    "PRIMARY_COLUMNS",
    "REFERENCE",
    "SECONDARY_IDEALS",
    "item_table",
]

REFERENCE: Final = (
    "Murphy, R. O., Ackermann, K. A., & Handgraaf, M. J. J. (2011). Measuring social value "
    "orientation. Judgment and Decision Making, 6(8), 771-781."
)

N_ITEMS: Final = 15
N_PRIMARY: Final = 6
N_OPTIONS: Final = 9


def _load_table() -> dict:
    text = resources.files("svo").joinpath("data/svo_slider_items.json").read_text("utf-8")
    return json.loads(text)


_TABLE = _load_table()

ITEMS: Final[np.ndarray] = np.array([item["options"] for item in _TABLE["items"]], dtype=np.int64)
"""The payoffs of the form: shape (15, 9, 2), ``ITEMS[i, j] = (self, other)`` for item
``i + 1`` and option ``j`` (0–8, left to right as printed). Items 1–6 are primary, 7–15
secondary. Read-only."""
ITEMS.setflags(write=False)

ITEM_COLUMNS: Final = tuple(f"item{i}" for i in range(1, N_ITEMS + 1))
"""Column names of the wide survey format: ``item1`` … ``item15``."""
PRIMARY_COLUMNS: Final = ITEM_COLUMNS[:N_PRIMARY]

CATEGORIES: Final = ("altruistic", "prosocial", "individualistic", "competitive")

CATEGORY_BOUNDS: Final = {
    "altruistic": (57.15, np.inf),
    "prosocial": (22.45, 57.15),
    "individualistic": (-12.04, 22.45),
    "competitive": (-np.inf, -12.04),
}
"""Angle bands in degrees, ``[low, high)``: each band includes its lower bound, as the
authors' scorer does. No answer pattern on the form lands exactly on a boundary."""

IDEAL_CHOICES: Final = {
    "altruistic": (0, 8, 0, 0, 8, 8),
    "prosocial": (0, 8, 8, 3, 4, 8),
    "individualistic": (8, 8, 8, 8, 0, 0),
    "competitive": (8, 0, 8, 8, 0, 0),
}
"""The primary-item answers (option indices) of the four ideal types: the altruist maximises
the other's payoff, the prosocial minimises ``|self - other|``, the individualist maximises
its own payoff (on item 1, where every option gives 85, taking the tie toward (85, 15)) and
the competitor maximises ``self - other``."""

IDEAL_ANGLES: Final = {
    "altruistic": 61.39,
    "prosocial": 37.48,
    "individualistic": -7.82,
    "competitive": -16.26,
}
"""The published angles of the ideal types (degrees, two decimals); the altruist's and the
competitor's are also the extremes any answer pattern can reach."""


def _secondary_ideals() -> dict[str, np.ndarray]:
    names = {
        "inequality_aversion": "inequality_aversion",
        "joint_gain": "joint_gain",
        "individualistic": "individualist",
        "altruistic": "altruist",
    }
    ideals = {}
    for name, key in names.items():
        column = [item["ideal_option_index_0based"][key] for item in _TABLE["items"][N_PRIMARY:]]
        ideals[name] = np.array([np.nan if v is None else v for v in column], dtype=float)
        ideals[name].setflags(write=False)
    return ideals


SECONDARY_IDEALS: Final = _secondary_ideals()
"""Ideal option indices (0-based) on the secondary items 7–15 of the inequality-averse, the
joint-gain maximiser, the individualist and the altruist; NaN where an ideal is undefined
(the joint payoff of items 8, 11 and 13 is constant). From the authors' scorer."""

ENDPOINT_TYPES: Final = tuple(
    tuple(label.split(" ")[0] for label in item["endpoint_reference_types"])
    for item in _TABLE["items"][:N_PRIMARY]
)
"""For each primary item, the reference types of its two endpoints, e.g. item 1 compares
(85, 85) 'prosocial' with (85, 15) 'competitive'."""


def item_table() -> pd.DataFrame:
    """The form as a long table: one row per item and option.

    Returns
    -------
    pandas.DataFrame
        Columns ``item`` (1–15), ``kind`` ('primary' or 'secondary'), ``option`` (0–8),
        ``self`` and ``other`` (payoffs).

    References
    ----------
    Murphy, R. O., Ackermann, K. A., & Handgraaf, M. J. J. (2011). Measuring social value
    orientation. *Judgment and Decision Making*, 6(8), 771–781, Appendix (the paper form).

    Examples
    --------
    >>> import svo
    >>> table = svo.item_table()
    >>> table.shape
    (135, 5)
    >>> table.iloc[:1].to_dict("records")
    [{'item': 1, 'kind': 'primary', 'option': 0, 'self': 85, 'other': 85}]
    """
    import pandas as pd

    item, option = np.divmod(np.arange(N_ITEMS * N_OPTIONS), N_OPTIONS)
    return pd.DataFrame(
        {
            "item": item + 1,
            "kind": np.where(item < N_PRIMARY, "primary", "secondary"),
            "option": option,
            "self": ITEMS[:, :, 0].ravel(),
            "other": ITEMS[:, :, 1].ravel(),
        }
    )
