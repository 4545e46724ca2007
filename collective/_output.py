"""Output shared by the ``collective`` commands: the --format choice, one JSON encoder.

Importing it is cheap (no numpy, no pandas): light commands such as ``collective svo items``
import it without the library.
"""

from __future__ import annotations

import enum
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["OutputFormat", "json_default", "records", "to_json"]


class OutputFormat(enum.StrEnum):
    """How a command prints its answer."""

    table = "table"
    json = "json"


def json_default(value: Any) -> Any:
    """What :func:`json.dumps` writes for a value it cannot encode itself.

    Numpy scalars become Python numbers, sets and tuples lists, dates ISO strings, and
    anything else its ``str``.

    Examples
    --------
    >>> import numpy as np
    >>> json.dumps([np.int64(3), {2, 1}], default=json_default)
    '[3, [1, 2]]'
    """
    import numpy as np

    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The rows of ``frame`` as JSON records (missing values become ``None``)."""
    return json.loads(frame.to_json(orient="records"))


def to_json(document: Any) -> str:
    """``document`` as indented JSON, non-ASCII text kept, with :func:`json_default`."""
    return json.dumps(document, indent=2, ensure_ascii=False, default=json_default)
