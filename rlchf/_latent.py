"""Latent-group reward model: EM over unobserved annotator groups (MaxMin-RLHF style).

When annotators carry no features, their groups can still be learned from their judgments
(Chakraborty et al. 2024, "MaxMin-RLHF", §4: a mixture of Bradley–Terry reward models fitted
by expectation–maximisation). With ``K`` latent groups, annotator ``i`` belongs to group ``k``
with prior ``π_k``, and group ``k`` judges with ``P_k(a ≻ b) = σ(r(a, e_k) − r(b, e_k))``: the
feature-conditioned network of :mod:`rlchf._conditioned` with the one-hot group ``e_k`` as
its feature vector (one shared network, FiLM-modulated per group).

EM, ``iterations`` times from a random hard assignment (seeded by ``rng``):

* M-step: train the network on every judgment duplicated once per group, the copy for group
  ``k`` weighted by the annotator's responsibility ``γ_ik`` (the weighted Bradley–Terry
  loss); the network is warm-started from the previous iteration.
* E-step: ``log γ_ik = log π_k + Σ_{judgments j of i} log P_k(label_j) − log Z_i`` and
  ``π_k = mean_i γ_ik``.

The learned groups are unlabelled (their numbering is arbitrary). :meth:`population` gives
the groups with their shares as a population for :func:`~rlchf.collective_scores`; the MaxMin
objective is its ``"egalitarian"`` welfare. ``predict_proba`` uses a known annotator's
posterior ``Σ_k γ_ik P_k`` and, for an unknown one, the prior mixture ``Σ_k π_k P_k``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import pandas as pd
import torch
from numpy.typing import NDArray
from scipy.special import logsumexp

from _common.progress import Progress, report
from _common.validation import check_int, check_rng

from . import _nn
from ._conditioned import FeatureConditionedRewardModel, FeatureEncoder
from ._errors import ModelError
from ._reward import _pairwise_frame, _predict_frame

__all__ = ["LatentGroupRewardModel"]

GROUP = "latent_group"


class LatentGroupRewardModel(FeatureConditionedRewardModel):
    """A mixture of ``n_groups`` Bradley–Terry reward models fitted by EM (module docstring).

    Parameters
    ----------
    n_groups : int, default 2
        Latent groups ``K``.
    embedder : object with ``encode(list[str]) -> (n, d)``, optional
    iterations : int, default 5
        EM iterations (each trains the network for up to ``epochs`` epochs).
    hidden, feature_hidden, epochs, lr, batch_size, validation, patience, weight_decay, rng
        As in :class:`~rlchf.FeatureConditionedRewardModel`.
    progress : callable ``(done, total)``, optional
        Called once per EM iteration.

    Attributes
    ----------
    shares_ : ndarray, shape (n_groups,)
        The groups' prior shares ``π``.
    posteriors_ : pandas.DataFrame
        ``annotator_id`` and one column ``p0, p1, ...`` per group: the responsibilities ``γ``.
    log_likelihood_ : list of float
        The data's log-likelihood after each E-step (non-decreasing up to training noise).

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
    ...     "response_b": "Coffee.", "label": [1.0] * 40 + [0.0] * 40,
    ...     "annotator_id": [f"u{i % 8}" for i in range(40)] + [f"v{i % 8}" for i in range(40)]})
    >>> model = LatentGroupRewardModel(2, embedder=Hash(), batch_size=16, iterations=3,
    ...                                rng=1).fit(PreferenceData.from_pandas(df, "pairwise"))
    >>> g = model.posteriors_.set_index("annotator_id").idxmax(axis=1)
    >>> bool(g["u0"] != g["v0"]), g.groupby(g.index.str[0]).nunique().tolist()  # u's, v's
    (True, [1, 1])
    """

    _kind: ClassVar[str] = "LatentGroupRewardModel"

    def __init__(
        self,
        n_groups: int = 2,
        embedder: Any = None,
        *,
        iterations: int = 5,
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
        super().__init__([GROUP], embedder, categorical=[GROUP], hidden=hidden,
                         feature_hidden=feature_hidden, epochs=epochs, lr=lr,
                         batch_size=batch_size, validation=validation, patience=patience,
                         weight_decay=weight_decay, rng=rng, progress=progress)
        self.n_groups = check_int(n_groups, "n_groups", func, 2, error=ModelError)
        self.iterations = check_int(iterations, "iterations", func, 1, error=ModelError)
        self.encoder_ = self._encoder()

    def _encoder(self) -> FeatureEncoder:
        return FeatureEncoder([{"name": GROUP, "type": "categorical",
                                "categories": list(range(self.n_groups))}])

    def _fit_features(self, data: Any, frame: pd.DataFrame) -> None:
        self.encoder_ = self._encoder()

    def fit(self, data: Any, *, use_margin: bool = True) -> LatentGroupRewardModel:
        """Fit the mixture by EM on PreferenceData (ranking data is expanded into pairs)."""
        func = f"{type(self).__name__}.fit"
        frame, _ = _pairwise_frame(data, func, allow_pairs=False)
        if len(frame) == 0:
            raise ModelError(f"{func} got no pairs to train on.")
        codes, annotators = pd.factorize(frame["annotator_id"], sort=False)
        K, n = self.n_groups, len(frame)
        table = _nn.TextTable(self._embedder(), self._texts, None)
        base = [table.add(frame[c].tolist()) for c in ("prompt", "response_a", "response_b")]
        E = table.matrix()
        onehot = np.repeat(np.eye(K, dtype=np.float32), n, axis=0)
        pairs = _nn.Pairs(*(np.tile(x, K) for x in base),
                          label=np.tile(frame["label"].to_numpy(np.float32), K),
                          margin=np.zeros(K * n, np.float32), features=onehot)
        gen = check_rng(self.rng, func, error=ModelError)
        gamma = np.eye(K)[gen.integers(K, size=len(annotators))] * 0.8 + 0.2 / K
        history, loglik = [], []
        report(self.progress, 0, self.iterations)
        with _nn.torch_seed(gen), _nn.one_thread():
            net = self._build_net(E.shape[1])
            for it in range(self.iterations):
                pairs.weight = gamma[codes].T.ravel().astype(np.float32)
                history += _nn.train_pairs(net, E, pairs, self.train_config, gen)
                net.eval()
                gamma, ll = _e_step(net, E, pairs, codes, gamma.mean(axis=0), n, K)
                loglik.append(ll)
                report(self.progress, it + 1, self.iterations)
        self.net_, self.embed_dim_ = net, int(E.shape[1])
        self.history_, self.n_pairs_ = pd.DataFrame(history), n
        self.shares_ = gamma.mean(axis=0)
        self.posteriors_ = pd.DataFrame(gamma, columns=[f"p{k}" for k in range(K)])
        self.posteriors_.insert(0, "annotator_id", np.asarray(annotators))
        self.log_likelihood_ = loglik
        return self

    def population(self) -> pd.DataFrame:
        """The latent groups with their shares: ``latent_group, weight``."""
        self._check_fitted("population")
        return pd.DataFrame({GROUP: range(self.n_groups), "weight": self.shares_})

    def predict_proba(self, data: Any) -> NDArray[np.float64]:
        """``P(a ≻ b)`` per row: a known annotator's posterior mixture, else the prior's."""
        self._check_fitted("predict_proba")
        frame = _predict_frame(data, f"{type(self).__name__}.predict_proba")
        K, n = self.n_groups, len(frame)
        weights = np.broadcast_to(self.shares_, (n, K)).copy()
        if "annotator_id" in frame.columns:
            known = self.posteriors_.set_index("annotator_id")
            rows = known.index.get_indexer(frame["annotator_id"])
            weights[rows >= 0] = known.to_numpy()[rows[rows >= 0]]
        prompts = frame["prompt"].tolist() * 2
        texts = frame["response_a"].tolist() + frame["response_b"].tolist()
        out = np.zeros(n)
        for k in range(K):
            F = np.zeros((2 * n, K), np.float32)
            F[:, k] = 1
            r = self._rewards(prompts, texts, F)
            out += weights[:, k] / (1 + np.exp(-(r[:n] - r[n:])))
        return out

    def _params(self) -> dict[str, Any]:
        c = self.train_config
        return {"n_groups": self.n_groups, "iterations": self.iterations, "hidden": self.hidden,
                "feature_hidden": self.feature_hidden, "epochs": c.epochs, "lr": c.lr,
                "batch_size": c.batch_size, "validation": c.validation,
                "patience": c.patience, "weight_decay": c.weight_decay}

    def _extra_config(self) -> dict[str, Any]:
        return {"shares": self.shares_.tolist(),
                "posteriors": self.posteriors_.astype({"annotator_id": str}).to_dict("list")}

    @classmethod
    def _from_config(cls, config: dict[str, Any], embedder: Any) -> LatentGroupRewardModel:
        try:
            model = cls(embedder=embedder, **config["params"])
            model.shares_ = np.asarray(config["shares"], dtype=np.float64)
            model.posteriors_ = pd.DataFrame(config["posteriors"])
        except (KeyError, TypeError) as exc:
            raise ModelError(f"The saved config is incomplete: {exc!r} is missing.") from exc
        return model

    def __repr__(self) -> str:
        state = f"fitted on {self.n_pairs_} pairs" if hasattr(self, "net_") else "not fitted"
        return f"{type(self).__name__}(n_groups={self.n_groups}, {state})"


def _e_step(
    net: _nn.RewardNet, E: NDArray, pairs: _nn.Pairs, codes: NDArray, prior: NDArray,
    n: int, K: int,
) -> tuple[NDArray[np.float64], float]:
    """Responsibilities ``γ`` (annotators × K) and the log-likelihood of the data."""
    Et = torch.from_numpy(np.ascontiguousarray(E))
    with torch.no_grad():
        d = _nn.pair_logits(net, Et, pairs, np.arange(len(pairs)))
        loss = _nn.bt_loss(d, torch.from_numpy(pairs.label), torch.from_numpy(pairs.margin),
                           reduce=False).numpy().astype(np.float64)
    ll = -loss.reshape(K, n)  # log P_k(label) of every judgment
    A = int(codes.max()) + 1
    per = np.stack([np.bincount(codes, ll[k], minlength=A) for k in range(K)], axis=1)
    joint = np.log(np.clip(prior, 1e-12, None)) + per
    norm = logsumexp(joint, axis=1, keepdims=True)
    return np.exp(joint - norm), float(norm.sum())
