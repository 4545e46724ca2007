"""The feature-conditioned reward model (RLCHF variant 2): one evaluator's judgment.

``P(a ≻ b | prompt, f) = σ(r(prompt, a, f) − r(prompt, b, f))`` where ``f`` is the evaluator's
encoded feature vector. The network reads the pair's embeddings ``x = [p, e, p ⊙ e]`` through
one hidden layer ``h = GELU(W x + b)`` that the features modulate (FiLM, Perez et al. 2018)::

    [γ, β] = U · GELU(A f + c)            (a small feature network, zero-initialised U)
    r(x, f) = v · (h ⊙ (1 + γ) + β)

so the features interact with the response embedding multiplicatively (each evaluator
re-weights the hidden units), feature combinations can interact with one another through the
feature network, and an untrained ``U = 0`` starts as the pooled model.

Feature encoding (learned at ``fit`` from the data's annotators, stored in the checkpoint)
    * categorical features: one-hot over the categories seen in training. A category not seen
      in training is an error (:class:`~rlchf.ModelError` naming the column, the value and the
      known categories) rather than a silent "unknown" slot: the model knows nothing about it.
    * numeric features: standardised with the annotators' mean and standard deviation
      (a constant column is centred only).
    A feature is categorical when it is listed in ``categorical=`` or its column is not
    numeric (strings, booleans, pandas categories); integer codes such as a Polis group id
    must be listed in ``categorical=`` to be treated as categories.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from _common.progress import Progress
from _common.validation import check_int

from . import _nn
from ._errors import ModelError
from ._reward import RewardModel

__all__ = ["FeatureConditionedRewardModel", "FeatureEncoder"]


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


class FeatureEncoder:
    """One-hot categorical and standardised numeric features, in the declared order.

    Examples
    --------
    >>> annotators = pd.DataFrame({"region": ["north", "south"], "age": [20, 40]})
    >>> enc = FeatureEncoder.fit(annotators, ["region", "age"], categorical=())
    >>> enc.transform(pd.DataFrame({"region": ["south"], "age": [30]})).tolist()
    [[0.0, 1.0, 0.0]]
    """

    def __init__(self, spec: list[dict[str, Any]]) -> None:
        self.spec = spec

    @classmethod
    def fit(
        cls, annotators: pd.DataFrame, features: Sequence[str], categorical: Sequence[str]
    ) -> FeatureEncoder:
        """Learn categories / mean and std of each feature from one row per annotator."""
        spec: list[dict[str, Any]] = []
        for name in features:
            col = annotators[name]
            numeric = pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col)
            if name in categorical or not numeric:
                cats = sorted({_plain(v) for v in col.dropna()}, key=lambda v: (str(type(v)), v))
                spec.append({"name": name, "type": "categorical", "categories": cats})
            else:
                values = col.to_numpy(dtype=np.float64)
                std = float(values.std())
                spec.append({"name": name, "type": "numeric", "mean": float(values.mean()),
                             "std": std if std > 0 else 1.0})
        return cls(spec)

    @property
    def width(self) -> int:
        """Columns of the encoded matrix."""
        return sum(len(s["categories"]) if s["type"] == "categorical" else 1 for s in self.spec)

    def transform(self, frame: pd.DataFrame, where: str = "the data") -> NDArray[np.float32]:
        """The ``(len(frame), width)`` encoded features of ``frame``'s feature columns."""
        missing = [s["name"] for s in self.spec if s["name"] not in frame.columns]
        if missing:
            raise ModelError(
                f"{where} has no column(s) {', '.join(map(repr, missing))}; the model was "
                f"trained with features {[s['name'] for s in self.spec]}."
            )
        blocks = []
        for s in self.spec:
            col = frame[s["name"]]
            if s["type"] == "categorical":
                codes = pd.Index(s["categories"]).get_indexer(col)
                bad = np.flatnonzero(codes < 0)
                if len(bad):
                    raise ModelError(
                        f"Row {int(bad[0])} of {where}, column {s['name']!r}: category "
                        f"{_plain(col.iloc[bad[0]])!r} was not seen in training (known: "
                        f"{', '.join(map(repr, s['categories']))})."
                    )
                blocks.append(np.eye(len(s["categories"]), dtype=np.float32)[codes])
            else:
                values = pd.to_numeric(col, errors="coerce").to_numpy(dtype=np.float64)
                bad = np.flatnonzero(~np.isfinite(values))
                if len(bad):
                    raise ModelError(
                        f"Row {int(bad[0])} of {where}, column {s['name']!r}: expected a "
                        f"finite number. Got {_plain(col.iloc[bad[0]])!r} instead."
                    )
                blocks.append(((values - s["mean"]) / s["std"])[:, None].astype(np.float32))
        return np.concatenate(blocks, axis=1) if blocks else np.zeros((len(frame), 0), np.float32)


class FeatureConditionedRewardModel(RewardModel):
    """A reward model of one evaluator's judgment given the evaluator's features (variant 2).

    Parameters
    ----------
    features : sequence of str
        The annotator feature columns the model conditions on (all must be declared features
        of the training data).
    embedder : object with ``encode(list[str]) -> (n, d)``, optional
        Default :func:`lm.load_embedder`, loaded on first use.
    categorical : sequence of str, optional
        Features to one-hot even though their column is numeric (e.g. integer group ids).
    hidden, feature_hidden : int
        Hidden units of the reward head and of the feature network.
    epochs, lr, batch_size, validation, patience, weight_decay, rng, progress
        As in :class:`RewardModel`.

    Attributes
    ----------
    encoder_ : FeatureEncoder
        The feature encoding learned from the training annotators.
    net_, embed_dim_, history_, n_pairs_
        As in :class:`RewardModel`.

    Examples
    --------
    >>> import zlib
    >>> class Hash:
    ...     def encode(self, texts):
    ...         rows = [np.random.default_rng(zlib.crc32(t.encode())).normal(size=16)
    ...                 for t in texts]
    ...         return np.array([r / np.linalg.norm(r) for r in rows])
    >>> from rlchf import PreferenceData
    >>> df = pd.DataFrame({"prompt_id": 1, "prompt": "Tea or coffee?", "response_a": "Tea.",
    ...     "response_b": "Coffee.", "label": [1.0] * 30 + [0.0] * 30,
    ...     "annotator_id": [f"u{i}" for i in range(60)], "region": ["uk"] * 30 + ["it"] * 30})
    >>> data = PreferenceData.from_pandas(df, "pairwise", ["region"])
    >>> model = FeatureConditionedRewardModel(["region"], embedder=Hash(), batch_size=8,
    ...                                       rng=0).fit(data)
    >>> ask = pd.DataFrame({"prompt": "Tea or coffee?", "response_a": "Tea.",
    ...                     "response_b": "Coffee.", "region": ["uk", "it"]})
    >>> model.predict_proba(ask).round(1).tolist()
    [1.0, 0.0]
    """

    _kind: ClassVar[str] = "FeatureConditionedRewardModel"

    def __init__(
        self,
        features: Sequence[str],
        embedder: Any = None,
        *,
        categorical: Sequence[str] = (),
        hidden: int = 64,
        feature_hidden: int = 16,
        epochs: int = 30,
        lr: float = 3e-3,
        batch_size: int = 256,
        validation: float = 0.1,
        patience: int = 3,
        weight_decay: float = 1e-4,
        rng: np.random.Generator | int | None = None,
        progress: Progress = None,
    ) -> None:
        func = type(self).__name__
        super().__init__(embedder, hidden=hidden, epochs=epochs, lr=lr, batch_size=batch_size,
                         validation=validation, patience=patience, weight_decay=weight_decay,
                         rng=rng, progress=progress)
        self.features = _names(features, "features", func, nonempty=True)
        self.categorical = _names(categorical, "categorical", func, nonempty=False)
        extra = [c for c in self.categorical if c not in self.features]
        if extra:
            raise ModelError(
                f"The 'categorical' parameter of {func} lists {extra}, which are not among "
                f"features {self.features}."
            )
        self.feature_hidden = check_int(feature_hidden, "feature_hidden", func, 1,
                                        error=ModelError)

    # ------------------------------------------------------------------ hooks
    def _n_features(self) -> int:
        return len(self.features)

    def _fit_features(self, data: Any, frame: pd.DataFrame) -> None:
        declared = tuple(getattr(data, "features", ()))
        missing = [f for f in self.features if f not in declared]
        if missing:
            raise ModelError(
                f"{type(self).__name__}.fit: feature(s) {missing} are not declared features "
                f"of the data (declared: {list(declared)}); declare them with "
                "PreferenceData.from_pandas(..., features=[...])."
            )
        self.encoder_ = FeatureEncoder.fit(data.annotators(), self.features, self.categorical)

    def _feature_rows(self, frame: pd.DataFrame) -> NDArray[np.float32]:
        return self.encoder_.transform(frame)

    def _build_net(self, dim: int) -> _nn.RewardNet:
        return _nn.RewardNet(dim, self.hidden, self.encoder_.width, self.feature_hidden)

    # ------------------------------------------------------------------ predict
    def reward(  # type: ignore[override]
        self, prompts: Sequence[str], responses: Sequence[str], features: pd.DataFrame
    ) -> NDArray[np.float64]:
        """``r(prompt, response, f)`` per row; ``features`` has one row per pair, or one row
        used for every pair. Only differences for the same evaluator are meaningful."""
        self._check_fitted("reward")
        if not isinstance(features, pd.DataFrame):
            raise ModelError(
                f"{type(self).__name__}.reward needs the evaluator's features as a DataFrame "
                f"with columns {self.features}. Got a {type(features).__name__} instead."
            )
        F = self.encoder_.transform(features, "features")
        if len(F) == 1:
            F = np.repeat(F, len(prompts), axis=0)
        elif len(F) != len(prompts):
            raise ModelError(
                f"features must have one row or one row per pair ({len(prompts)}); got "
                f"{len(F)}."
            )
        return self._rewards(prompts, responses, F)

    def _member_rewards(
        self, prompts: list[str], responses: list[list[str]], population: pd.DataFrame
    ) -> NDArray[np.float64]:
        """Rewards of shape ``(prompts, members, responses)``, one forward pass in batches."""
        self._check_fitted("reward")
        F = self.encoder_.transform(population, "the population")
        P, n, m = len(prompts), len(F), len(responses[0])
        flat_p = np.repeat(np.asarray(prompts, dtype=object), n * m).tolist()
        flat_r = np.tile(np.asarray(responses, dtype=object).reshape(P, 1, m), (1, n, 1))
        flat_f = np.tile(np.repeat(F, m, axis=0), (P, 1))
        r = self._rewards(flat_p, flat_r.ravel().tolist(), flat_f)
        return r.reshape(P, n, m)

    # ------------------------------------------------------------------ save / load
    def _params(self) -> dict[str, Any]:
        return {**super()._params(), "categorical": list(self.categorical),
                "feature_hidden": self.feature_hidden}

    def _extra_config(self) -> dict[str, Any]:
        return {"features": list(self.features), "encoder": self.encoder_.spec}

    @classmethod
    def _from_config(cls, config: dict[str, Any], embedder: Any) -> RewardModel:
        try:
            model = cls(config["features"], embedder, **config["params"])
            model.encoder_ = FeatureEncoder(list(config["encoder"]))
        except (KeyError, TypeError) as exc:
            raise ModelError(f"The saved config is incomplete: {exc!r} is missing.") from exc
        return model

    def __repr__(self) -> str:
        state = f"fitted on {self.n_pairs_} pairs" if hasattr(self, "net_") else "not fitted"
        return f"{type(self).__name__}(features={self.features}, {state})"


def _names(value: Any, name: str, func: str, *, nonempty: bool) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Sequence) or not all(
        isinstance(v, str) for v in value
    ):
        raise ModelError(
            f"The {name!r} parameter of {func} must be a list of column names. "
            f"Got {value!r} instead."
        )
    if nonempty and not value:
        raise ModelError(
            f"The {name!r} parameter of {func} must name at least one feature column; "
            "use RewardModel for a model without features."
        )
    if len(set(value)) != len(value):
        raise ModelError(f"The {name!r} parameter of {func} repeats a column: {list(value)}.")
    return list(value)
