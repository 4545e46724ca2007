"""The pooled Bradley–Terry reward model on frozen sentence embeddings.

``P(a ≻ b | prompt) = σ(r(prompt, a) − r(prompt, b))`` with ``r`` a one-hidden-layer MLP on
``[p, e, p ⊙ e]`` (the prompt's and the response's embeddings, see :mod:`rlchf._nn`). It pools
every evaluator's judgments into one reward: on contested prompts, where groups disagree, it
learns the majority's taste and caps its accuracy for the others (the RLCHF pitfall that
:class:`~rlchf.FeatureConditionedRewardModel` addresses).

Checkpoints are a folder with ``model.safetensors`` (the weights) and ``config.json`` (the
hyperparameters, the embedding dimension, the embedder's name and the training history);
nothing is pickled.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import torch
from numpy.typing import NDArray

from _common.progress import Progress
from _common.validation import check_int, check_rng

from . import _nn
from ._errors import ModelError

__all__ = ["RewardModel"]

_CONFIG, _WEIGHTS = "config.json", "model.safetensors"
_FORMAT = 1
_PAIR_COLUMNS = ("prompt", "response_a", "response_b")
_PREDICT_BATCH = 8192


def _is_preference_data(data: Any) -> bool:
    return all(hasattr(data, a) for a in ("kind", "frame", "to_pairwise"))


def _pairwise_frame(data: Any, func: str, *, allow_pairs: bool) -> tuple[pd.DataFrame, bool]:
    """The pairwise rows of ``data`` and whether they came from an ``aggregate_pairs`` table.

    PreferenceData (ranking data expanded with ``to_pairwise()``), or, when ``allow_pairs``,
    a DataFrame of collective pairs ``prompt, chosen, rejected[, margin]``.
    """
    if _is_preference_data(data):
        frame = (data if data.kind == "pairwise" else data.to_pairwise()).frame
        return frame, False
    if allow_pairs and isinstance(data, pd.DataFrame):
        missing = [c for c in ("prompt", "chosen", "rejected") if c not in data.columns]
        if missing:
            raise ModelError(
                f"{func} takes PreferenceData or a DataFrame of pairs with columns prompt, "
                f"chosen, rejected (and optionally margin), as aggregate_pairs returns. "
                f"Missing column(s): {', '.join(missing)}."
            )
        frame = data.rename(columns={"chosen": "response_a", "rejected": "response_b"})
        return frame.assign(label=1.0), True
    expected = "PreferenceData" + (" or a DataFrame of pairs" if allow_pairs else "")
    raise ModelError(f"{func} takes {expected}. Got a {type(data).__name__} instead.")


def _predict_frame(data: Any, func: str) -> pd.DataFrame:
    """The rows to predict: PreferenceData or a DataFrame with prompt, response_a, response_b."""
    if _is_preference_data(data):
        return _pairwise_frame(data, func, allow_pairs=False)[0]
    if not isinstance(data, pd.DataFrame):
        raise ModelError(
            f"{func} takes PreferenceData or a DataFrame with columns "
            f"{', '.join(_PAIR_COLUMNS)}. Got a {type(data).__name__} instead."
        )
    missing = [c for c in _PAIR_COLUMNS if c not in data.columns]
    if missing:
        raise ModelError(f"{func}: the DataFrame has no column(s) {', '.join(missing)}.")
    return data


def _check_margin(frame: pd.DataFrame) -> NDArray[np.float32]:
    m = pd.to_numeric(frame["margin"], errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(m)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ModelError(
            f"Row {row}, column 'margin': expected a finite number. "
            f"Got {frame['margin'].iloc[row]!r} instead."
        )
    return m.astype(np.float32)


class RewardModel:
    """Pooled Bradley–Terry reward model: a small MLP head on frozen sentence embeddings.

    Parameters
    ----------
    embedder : object with ``encode(list[str]) -> (n, d)``, optional
        Default :func:`lm.load_embedder` (all-MiniLM-L6-v2), loaded on first use.
    hidden : int, default 64
        Hidden units of the head.
    epochs, lr, batch_size : int, float, int
        Training schedule (AdamW, weight decay ``weight_decay``).
    validation : float in [0, 1), default 0.1
        Share of the pairs held out for early stopping (0: no early stopping).
    patience : int, default 3
        Epochs without a lower validation loss before training stops.
    rng : numpy.random.Generator, int or None
        Seeds the initial weights, the validation split and the batch order.
    progress : callable ``(done, total)``, optional
        Called once per epoch.

    Attributes
    ----------
    net_ : torch.nn.Module
        The fitted head.
    embed_dim_ : int
        The embedding dimension it reads.
    history_ : pandas.DataFrame
        ``epoch, train_loss[, val_loss]`` per epoch.
    n_pairs_ : int
        Pairs it was trained on.

    Examples
    --------
    >>> import zlib
    >>> class Hash:  # a deterministic toy embedder: one random unit vector per text
    ...     def encode(self, texts):
    ...         rows = [np.random.default_rng(zlib.crc32(t.encode())).normal(size=16)
    ...                 for t in texts]
    ...         return np.array([r / np.linalg.norm(r) for r in rows])
    >>> pairs = pd.DataFrame({"prompt": ["Hi?"] * 40, "chosen": ["Hello!"] * 40,
    ...                       "rejected": ["Go away."] * 40})
    >>> model = RewardModel(embedder=Hash(), epochs=20, rng=0).fit(pairs)
    >>> r = model.reward(["Hi?", "Hi?"], ["Hello!", "Go away."])
    >>> bool(r[0] > r[1])
    True
    """

    _kind: ClassVar[str] = "RewardModel"

    def __init__(
        self,
        embedder: Any = None,
        *,
        hidden: int = 64,
        epochs: int = 30,
        lr: float = 3e-3,
        batch_size: int = 256,
        validation: float = 0.1,
        patience: int = 3,
        weight_decay: float = 1e-4,
        rng: np.random.Generator | int | None = None,
        progress: Progress = None,
    ) -> None:
        self.embedder = _nn.check_embedder(embedder, type(self).__name__)
        self.hidden = check_int(hidden, "hidden", type(self).__name__, 1, error=ModelError)
        self.train_config = _nn.TrainConfig(
            epochs, lr, batch_size, validation, patience, weight_decay
        ).checked(type(self).__name__)
        self.rng = rng
        self.progress = progress
        self._texts: dict[str, NDArray[np.float32]] = {}

    # ------------------------------------------------------------------ embeddings
    def _embedder(self) -> Any:
        if self.embedder is None:
            self.embedder = _nn.default_embedder()
        return self.embedder

    def _table(self) -> _nn.TextTable:
        return _nn.TextTable(self._embedder(), self._texts, getattr(self, "embed_dim_", None))

    def _check_fitted(self, func: str) -> None:
        if not hasattr(self, "net_"):
            raise ModelError(
                f"{type(self).__name__}.{func} needs a fitted model: call fit(data) first "
                f"or {type(self).__name__}.load(folder)."
            )

    # ------------------------------------------------------------------ features (hooks)
    def _fit_features(self, data: Any, frame: pd.DataFrame) -> None:
        """Learn the feature encoding (none for the pooled model)."""

    def _feature_rows(self, frame: pd.DataFrame) -> NDArray[np.float32] | None:
        """One encoded feature row per row of ``frame`` (None for the pooled model)."""
        return None

    def _n_features(self) -> int:
        return 0

    def _build_net(self, dim: int) -> _nn.RewardNet:
        return _nn.RewardNet(dim, self.hidden)

    # ------------------------------------------------------------------ fit
    def fit(self, data: Any, *, use_margin: bool = True) -> RewardModel:
        """Train on pairwise judgments; return ``self``.

        Parameters
        ----------
        data : PreferenceData or pandas.DataFrame
            PreferenceData (ranking data is expanded into each annotator's pairs), or the
            collective pairs of :func:`rlchf.aggregate_pairs` (``prompt, chosen, rejected``
            and optionally ``margin``): variant 1 of RLCHF.
        use_margin : bool, default True
            Use the ``margin`` column of a pairs table in the loss
            ``−log σ(r_a − r_b − margin)``.
        """
        func = f"{type(self).__name__}.fit"
        frame, is_pairs = _pairwise_frame(data, func, allow_pairs=self._n_features() == 0)
        if len(frame) == 0:
            raise ModelError(f"{func} got no pairs to train on.")
        self._fit_features(data, frame)
        table = _nn.TextTable(self._embedder(), self._texts, None)
        margin = (_check_margin(frame) if is_pairs and use_margin and "margin" in frame
                  else np.zeros(len(frame), dtype=np.float32))
        pairs = _nn.Pairs(
            prompt=table.add(frame["prompt"].tolist()),
            a=table.add(frame["response_a"].tolist()),
            b=table.add(frame["response_b"].tolist()),
            label=frame["label"].to_numpy(dtype=np.float32),
            margin=margin,
            features=self._feature_rows(frame),
        )
        E = table.matrix()
        gen = check_rng(self.rng, func, error=ModelError)
        with _nn.torch_seed(gen), _nn.one_thread():
            net = self._build_net(E.shape[1])
            history = _nn.train_pairs(net, E, pairs, self.train_config, gen, self.progress)
        net.eval()
        self.net_ = net
        self.embed_dim_ = int(E.shape[1])
        self.history_ = pd.DataFrame(history)
        self.n_pairs_ = len(pairs)
        return self

    # ------------------------------------------------------------------ predict
    def _rewards(
        self, prompts: Sequence[str], responses: Sequence[str], F: NDArray | None
    ) -> NDArray[np.float64]:
        if len(prompts) != len(responses):
            raise ModelError(
                f"prompts and responses must have the same length; got {len(prompts)} and "
                f"{len(responses)}."
            )
        table = self._table()
        p, r = table.add(list(prompts)), table.add(list(responses))
        E = torch.from_numpy(table.matrix())
        out = np.empty(len(p), dtype=np.float64)
        with torch.no_grad(), _nn.one_thread():
            for s in range(0, len(p), _PREDICT_BATCH):
                sl = slice(s, s + _PREDICT_BATCH)
                x = _nn.pair_inputs(E, torch.from_numpy(p[sl]), torch.from_numpy(r[sl]))
                f = None if F is None else torch.from_numpy(F[sl])
                out[sl] = self.net_(x, f).numpy()
        return out

    def reward(self, prompts: Sequence[str], responses: Sequence[str]) -> NDArray[np.float64]:
        """The reward ``r(prompt, response)`` of each pair (only differences are meaningful).

        Returns
        -------
        ndarray of float, shape (len(prompts),)
        """
        self._check_fitted("reward")
        return self._rewards(prompts, responses, None)

    def predict_proba(self, data: Any) -> NDArray[np.float64]:
        """``P(response_a ≻ response_b)`` for every pairwise row of ``data``.

        ``data``: PreferenceData or a DataFrame with ``prompt, response_a, response_b``.
        """
        self._check_fitted("predict_proba")
        frame = _predict_frame(data, f"{type(self).__name__}.predict_proba")
        F = self._feature_rows(frame)
        prompts = frame["prompt"].tolist()
        both = self._rewards(
            prompts + prompts,
            frame["response_a"].tolist() + frame["response_b"].tolist(),
            None if F is None else np.concatenate([F, F]),
        )
        n = len(frame)
        return 1.0 / (1.0 + np.exp(-(both[:n] - both[n:])))

    def _member_rewards(
        self, prompts: list[str], responses: list[list[str]], population: pd.DataFrame
    ) -> NDArray[np.float64]:
        """Rewards of shape ``(prompts, members, responses)``; the same for every member."""
        m = len(responses[0])
        flat_p = [p for p, rs in zip(prompts, responses, strict=True) for _ in rs]
        r = self._rewards(flat_p, [x for rs in responses for x in rs], None)
        r = r.reshape(len(prompts), 1, m)
        return np.broadcast_to(r, (len(prompts), len(population), m)).copy()

    # ------------------------------------------------------------------ save / load
    def _params(self) -> dict[str, Any]:
        c = self.train_config
        return {"hidden": self.hidden, "epochs": c.epochs, "lr": c.lr,
                "batch_size": c.batch_size, "validation": c.validation,
                "patience": c.patience, "weight_decay": c.weight_decay}

    def _extra_config(self) -> dict[str, Any]:
        return {}

    def save(self, folder: str | os.PathLike[str]) -> Path:
        """Write ``model.safetensors`` and ``config.json`` into ``folder`` (created if needed)."""
        from safetensors.torch import save_file

        self._check_fitted("save")
        path = Path(folder)
        path.mkdir(parents=True, exist_ok=True)
        state = {k: v.detach().contiguous() for k, v in self.net_.state_dict().items()}
        save_file(state, str(path / _WEIGHTS))
        config = {
            "format": _FORMAT, "class": self._kind, "params": self._params(),
            "embed_dim": self.embed_dim_,
            "embedder": getattr(self.embedder, "model_id", type(self.embedder).__name__),
            "n_pairs": self.n_pairs_, "history": self.history_.to_dict(orient="list"),
            **self._extra_config(),
        }
        (path / _CONFIG).write_text(json.dumps(config, indent=2))
        return path

    @classmethod
    def _read_config(cls, path: Path) -> dict[str, Any]:
        if not (path / _CONFIG).is_file():
            raise ModelError(
                f"{path} is not a saved {cls._kind}: it has no {_CONFIG}. Expected a folder "
                f"written by {cls._kind}.save()."
            )
        if not (path / _WEIGHTS).is_file():
            raise ModelError(f"{path} has a {_CONFIG} but no {_WEIGHTS}.")
        try:
            config = json.loads((path / _CONFIG).read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ModelError(f"{path / _CONFIG} is not valid JSON: {exc}") from exc
        if not isinstance(config, dict) or config.get("class") != cls._kind:
            found = config.get("class") if isinstance(config, dict) else None
            raise ModelError(
                f"{path / _CONFIG} describes a {found!r}, not a {cls._kind}; load it with "
                f"the class that saved it."
            )
        return config

    @classmethod
    def _from_config(cls, config: dict[str, Any], embedder: Any) -> RewardModel:
        return cls(embedder, **config["params"])

    @classmethod
    def load(cls, folder: str | os.PathLike[str], embedder: Any = None) -> RewardModel:
        """A model saved by :meth:`save`.

        Raises
        ------
        ModelError
            The folder has no config or weights, was saved by another class, or
            ``embedder`` returns vectors of another dimension than the saved model's.
        """
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        path = Path(folder)
        config = cls._read_config(path)
        model = cls._from_config(config, embedder)
        dim = int(config["embed_dim"])
        if embedder is not None:
            got = _nn.embedder_dimension(embedder)
            if got != dim:
                raise ModelError(
                    f"{path} was trained on {dim}-dimensional embeddings "
                    f"({config.get('embedder')}), but the given embedder returns {got}."
                )
        net = model._build_net(dim)
        try:
            net.load_state_dict(load_file(str(path / _WEIGHTS)))
        except (SafetensorError, RuntimeError, OSError) as exc:
            raise ModelError(f"{path / _WEIGHTS} does not match {_CONFIG}: {exc}") from exc
        net.eval()
        model.net_, model.embed_dim_ = net, dim
        model.n_pairs_ = int(config.get("n_pairs", 0))
        model.history_ = pd.DataFrame(config.get("history", {}))
        return model

    def __repr__(self) -> str:
        state = f"fitted on {self.n_pairs_} pairs" if hasattr(self, "net_") else "not fitted"
        return f"{type(self).__name__}(hidden={self.hidden}, {state})"
