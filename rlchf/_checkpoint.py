"""Load any saved reward model, whichever class saved it.

A checkpoint folder's ``config.json`` names the class that wrote it (``"class"``);
:func:`load_model` reads that name and calls the class's own ``load``, so a caller (the
``collective rlchf eval`` command, a notebook) need not know which model a folder holds.
"""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path
from typing import Any

from ._errors import ModelError

__all__ = ["MODEL_CLASSES", "load_model"]

#: The classes a checkpoint may name: class name -> defining module.
MODEL_CLASSES = {
    "RewardModel": "rlchf._reward",
    "FeatureConditionedRewardModel": "rlchf._conditioned",
    "LatentGroupRewardModel": "rlchf._latent",
}
_CONFIG = "config.json"


def load_model(folder: str | os.PathLike[str], embedder: Any = None) -> Any:
    """The reward model saved in ``folder``, as an instance of the class that saved it.

    Parameters
    ----------
    folder : path
        A folder written by ``save`` of :class:`~rlchf.RewardModel`,
        :class:`~rlchf.FeatureConditionedRewardModel` or :class:`~rlchf.LatentGroupRewardModel`.
    embedder : object with ``encode(list[str]) -> (n, d)``, optional
        The embedder the model was trained with; default :func:`lm.load_embedder`, loaded on
        first use.

    Returns
    -------
    RewardModel, FeatureConditionedRewardModel or LatentGroupRewardModel

    Raises
    ------
    ModelError
        ``folder`` is not a folder, has no ``config.json``, the config is not JSON or names
        no known class, or the class's ``load`` rejects it (weights missing or mismatched,
        an embedder of another dimension).

    Examples
    --------
    >>> import tempfile, zlib
    >>> import numpy as np, pandas as pd
    >>> from rlchf import RewardModel
    >>> class Hash:
    ...     def encode(self, texts):
    ...         rows = [np.random.default_rng(zlib.crc32(t.encode())).normal(size=8)
    ...                 for t in texts]
    ...         return np.array([r / np.linalg.norm(r) for r in rows])
    >>> pairs = pd.DataFrame({"prompt": ["Hi?"] * 8, "chosen": ["Hello!"] * 8,
    ...                       "rejected": ["Go away."] * 8})
    >>> folder = RewardModel(Hash(), epochs=2, rng=0).fit(pairs).save(tempfile.mkdtemp())
    >>> load_model(folder, embedder=Hash())
    RewardModel(hidden=64, fitted on 8 pairs)
    """
    path = Path(folder)
    if not path.is_dir():
        raise ModelError(f"{path} is not a folder; expected a folder written by a reward "
                         "model's save().")
    if not (path / _CONFIG).is_file():
        raise ModelError(f"{path} is not a saved reward model: it has no {_CONFIG}. Expected "
                         "a folder written by a reward model's save().")
    try:
        config = json.loads((path / _CONFIG).read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"{path / _CONFIG} is not valid JSON: {exc}") from exc
    name = config.get("class") if isinstance(config, dict) else None
    if name not in MODEL_CLASSES:
        raise ModelError(f"{path / _CONFIG} names the class {name!r}; expected one of "
                         f"{', '.join(MODEL_CLASSES)}.")
    cls = getattr(importlib.import_module(MODEL_CLASSES[name]), name)
    return cls.load(path, embedder)
