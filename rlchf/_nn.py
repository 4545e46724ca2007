"""The torch pieces shared by the reward models: text embeddings, the network, the training loop.

Inputs
    A (prompt, response) pair is represented by the frozen sentence embeddings of the prompt
    ``p`` and of the response ``e``, each embedded *separately*, and the network reads
    ``x = [p, e, p ⊙ e]`` (``3d`` numbers). Embedding the two texts separately (rather than
    ``"prompt\\n\\nresponse"`` as one text) means every distinct text is encoded once —
    a prompt shared by its responses, a response shared by many prompts — and the
    elementwise product ``p ⊙ e`` still lets the head model how well a response fits its
    prompt. Texts are encoded once per call (:class:`TextTable`) and remembered by the model
    across calls (``cache``), so fitting and then evaluating never re-encodes a text.

Network
    ``r(x) = v · GELU(W z + b)`` with ``z`` the input standardised column by column with the
    mean and standard deviation over the distinct training (prompt, response) pairs (sentence
    embeddings are nearly parallel, their products tiny; standardising them sped up and
    improved training) — one hidden layer, :class:`RewardNet`. The
    feature-conditioned model modulates the hidden layer with the evaluator's features
    (FiLM, see :mod:`rlchf._conditioned`).

Training (:func:`train_pairs`)
    AdamW on the Bradley–Terry loss with an optional margin ``m``, for label ``y`` (1: a
    preferred, 0: b preferred, 0.5: tie) and ``d = r(a) − r(b)``::

        loss = −y log σ(d − m) − (1 − y) log σ(−d − m)

    (``−log σ(r_a − r_b − m)`` for a strict label 1), averaged over the batch — weighted by
    per-pair weights when the pairs carry them (the EM of :mod:`rlchf._latent`). The
    standardisation is set from the training pairs first. A random ``validation`` share of the
    pairs is held out; training stops after ``patience`` epochs without a lower validation
    loss and the weights of the best epoch are kept. Everything random (initial weights,
    the split, the batch order) comes from ``rng``, so a seed gives the same model.

torch is imported here, never at ``import rlchf``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch
from numpy.typing import NDArray

from _common.progress import Progress, report
from _common.validation import check_float, check_int

from ._errors import ModelError

__all__ = [
    "RewardNet",
    "TextTable",
    "TrainConfig",
    "check_embedder",
    "default_embedder",
    "one_thread",
    "pair_inputs",
    "torch_seed",
    "train_pairs",
]


def default_embedder() -> Any:
    """The local all-MiniLM-L6-v2 embedder (``lm.load_embedder()``), loaded on first use."""
    import lm

    return lm.load_embedder()


def check_embedder(embedder: Any, func: str) -> Any:
    """``embedder`` if it has a callable ``encode``; otherwise a :class:`ModelError`."""
    bad = isinstance(embedder, str | bytes) or not callable(getattr(embedder, "encode", None))
    if embedder is not None and bad:  # str.encode is not an embedder
        raise ModelError(
            f"The 'embedder' parameter of {func} must be an object with an "
            f"encode(list[str]) -> (n, d) method (e.g. lm.load_embedder()) or None. "
            f"Got a {type(embedder).__name__} instead."
        )
    return embedder


def embedder_dimension(embedder: Any) -> int:
    """The embedding dimension: ``embedder.dimension`` if it has one, else one probe encode."""
    dim = getattr(embedder, "dimension", None)
    if isinstance(dim, int | np.integer) and not isinstance(dim, bool):
        return int(dim)
    return int(np.asarray(embedder.encode(["dimension probe"])).shape[-1])


class TextTable:
    """Distinct texts and their embeddings, encoded once.

    Parameters
    ----------
    embedder : object with ``encode(list[str]) -> (n, d)``
    cache : dict
        text -> vector, shared across calls by the model that owns it.
    dim : int or None
        The dimension every embedding must have (``None``: taken from the first encode).

    Examples
    --------
    >>> class Toy:
    ...     def encode(self, texts):
    ...         return np.array([[len(t), 1.0] for t in texts])
    >>> table = TextTable(Toy(), {}, None)
    >>> codes = table.add(["ab", "abc", "ab"])
    >>> codes.tolist(), table.matrix().shape
    ([0, 1, 0], (2, 2))
    """

    def __init__(self, embedder: Any, cache: dict[str, NDArray], dim: int | None) -> None:
        self.embedder = embedder
        self.cache = cache
        self.dim = dim
        self.texts: dict[str, int] = {}

    def add(self, texts: Sequence[str]) -> NDArray[np.int64]:
        """Register ``texts``; return each one's row in :meth:`matrix`."""
        codes, uniques = pd.factorize(pd.Series(texts, dtype=object), sort=False)
        if (codes < 0).any():
            raise ModelError("Texts must be strings; got a missing value (None or NaN).")
        rows = np.empty(len(uniques), dtype=np.int64)
        for i, text in enumerate(uniques):
            if not isinstance(text, str):
                raise ModelError(f"Texts must be strings; got {type(text).__name__} {text!r}.")
            rows[i] = self.texts.setdefault(text, len(self.texts))
        return rows[codes]

    def matrix(self) -> NDArray[np.float32]:
        """The ``(number of texts, d)`` float32 embeddings, encoding only new texts."""
        todo = [t for t in self.texts if t not in self.cache]
        if todo:
            vectors = self._encode(todo)
            self.cache.update(zip(todo, vectors, strict=True))
        if not self.texts:
            return np.zeros((0, self.dim or 0), dtype=np.float32)
        return np.stack([self.cache[t] for t in self.texts]).astype(np.float32, copy=False)

    def _encode(self, texts: list[str]) -> NDArray[np.float32]:
        try:
            out = np.asarray(self.embedder.encode(texts), dtype=np.float32)
        except (TypeError, ValueError) as exc:
            raise ModelError(f"The embedder's encode() did not return numbers: {exc}") from exc
        if out.ndim != 2 or out.shape[0] != len(texts):
            raise ModelError(
                f"The embedder's encode() must return an array of shape ({len(texts)}, d) for "
                f"{len(texts)} texts. Got shape {out.shape} instead."
            )
        if self.dim is None:
            self.dim = int(out.shape[1])
        elif out.shape[1] != self.dim:
            raise ModelError(
                f"The embedder returns vectors of dimension {out.shape[1]}, but this model "
                f"was built for dimension {self.dim}. Use the embedder the model was trained "
                "with."
            )
        if not np.isfinite(out).all():
            raise ModelError("The embedder's encode() returned NaN or infinite values.")
        return out


def pair_inputs(E: torch.Tensor, p: torch.Tensor, r: torch.Tensor) -> torch.Tensor:
    """The network input ``[p, e, p ⊙ e]`` of prompt rows ``p`` and response rows ``r`` of E."""
    ep, er = E[p], E[r]
    return torch.cat([ep, er, ep * er], dim=-1)


class RewardNet(torch.nn.Module):
    """``r(x) = v · GELU(W x + b)``, optionally with FiLM modulation by features ``f``.

    With ``n_features > 0`` the hidden layer becomes ``h ⊙ (1 + γ(f)) + β(f)`` where
    ``[γ, β] = U · GELU(A f + c)`` (a small feature network), so every evaluator reads the
    response embedding through its own rescaled hidden units.
    """

    def __init__(self, dim: int, hidden: int, n_features: int = 0, feature_hidden: int = 0):
        super().__init__()
        self.register_buffer("x_mean", torch.zeros(3 * dim))
        self.register_buffer("x_scale", torch.ones(3 * dim))
        self.hidden = torch.nn.Linear(3 * dim, hidden)
        self.out = torch.nn.Linear(hidden, 1)
        self.n_features = n_features
        if n_features:
            self.film = torch.nn.Sequential(
                torch.nn.Linear(n_features, feature_hidden),
                torch.nn.GELU(),
                torch.nn.Linear(feature_hidden, 2 * hidden),
            )
            torch.nn.init.zeros_(self.film[2].weight)  # start as the pooled network
            torch.nn.init.zeros_(self.film[2].bias)

    def standardise(self, x: torch.Tensor) -> None:
        """Set the input standardisation (``(x − mean) / std`` per column) from rows ``x``."""
        self.x_mean.copy_(x.mean(dim=0))
        self.x_scale.copy_(x.std(dim=0, unbiased=False).clamp_min(1e-6))

    def forward(self, x: torch.Tensor, f: torch.Tensor | None = None) -> torch.Tensor:
        h = torch.nn.functional.gelu(self.hidden((x - self.x_mean) / self.x_scale))
        if self.n_features:
            gamma, beta = self.film(f).chunk(2, dim=-1)
            h = h * (1 + gamma) + beta
        return self.out(h).squeeze(-1)


@dataclass(frozen=True)
class TrainConfig:
    """Hyperparameters of :func:`train_pairs` (checked by :meth:`checked`)."""

    epochs: int = 30
    lr: float = 3e-3
    batch_size: int = 256
    validation: float = 0.1
    patience: int = 3
    weight_decay: float = 1e-4

    def checked(self, func: str) -> TrainConfig:
        check_int(self.epochs, "epochs", func, 1, error=ModelError)
        check_float(self.lr, "lr", func, 0.0, low_open=True, error=ModelError)
        check_int(self.batch_size, "batch_size", func, 1, error=ModelError)
        check_float(self.validation, "validation", func, 0.0, 1.0, high_open=True,
                    error=ModelError)
        check_int(self.patience, "patience", func, 1, error=ModelError)
        check_float(self.weight_decay, "weight_decay", func, 0.0, error=ModelError)
        return self


@dataclass
class Pairs:
    """Training pairs as index arrays into the text table ``E`` (and feature rows ``F``)."""

    prompt: NDArray[np.int64]
    a: NDArray[np.int64]
    b: NDArray[np.int64]
    label: NDArray[np.float32]
    margin: NDArray[np.float32]
    features: NDArray[np.float32] | None = None
    weight: NDArray[np.float32] | None = None

    def __len__(self) -> int:
        return len(self.label)

    def loss(self, net: RewardNet, E: torch.Tensor, idx: NDArray) -> torch.Tensor:
        """The (weighted) mean Bradley–Terry loss of the pairs ``idx``."""
        d = pair_logits(net, E, self, idx)
        per = bt_loss(d, torch.from_numpy(self.label[idx]), torch.from_numpy(self.margin[idx]),
                      reduce=False)
        if self.weight is None:
            return per.mean()
        w = torch.from_numpy(self.weight[idx])
        return (per * w).sum() / w.sum().clamp_min(1e-12)


def bt_loss(
    d: torch.Tensor, y: torch.Tensor, m: torch.Tensor, *, reduce: bool = True
) -> torch.Tensor:
    """``−y log σ(d − m) − (1 − y) log σ(−d − m)`` (softplus form, stable), averaged unless
    ``reduce=False``."""
    softplus = torch.nn.functional.softplus
    per = y * softplus(m - d) + (1 - y) * softplus(m + d)
    return per.mean() if reduce else per


def pair_logits(net: RewardNet, E: torch.Tensor, pairs: Pairs, idx: NDArray) -> torch.Tensor:
    """``r(a) − r(b)`` for the pairs ``idx``, a and b in one forward pass."""
    p = torch.from_numpy(pairs.prompt[idx])
    both = torch.from_numpy(np.concatenate([pairs.a[idx], pairs.b[idx]]))
    x = pair_inputs(E, torch.cat([p, p]), both)
    f = None
    if pairs.features is not None:
        fi = torch.from_numpy(pairs.features[idx])
        f = torch.cat([fi, fi])
    r = net(x, f)
    return r[: len(idx)] - r[len(idx):]


def _split(n: int, share: float, gen: np.random.Generator) -> tuple[NDArray, NDArray]:
    order = gen.permutation(n)
    n_val = round(n * share) if share > 0 else 0
    if share > 0 and n_val == 0 and n >= 2:
        n_val = 1
    return order[n_val:], order[:n_val]


def _epoch_loss(net: RewardNet, E: torch.Tensor, pairs: Pairs, idx: NDArray) -> float:
    with torch.no_grad():
        return float(pairs.loss(net, E, idx))


def train_pairs(
    net: RewardNet,
    E: NDArray[np.float32],
    pairs: Pairs,
    config: TrainConfig,
    gen: np.random.Generator,
    progress: Progress = None,
) -> list[dict[str, float]]:
    """Fit ``net`` on ``pairs`` in place; return the per-epoch history.

    One progress unit is one epoch: ``progress(0, epochs)`` first, ``(epochs, epochs)`` last
    (also when early stopping ends training sooner). The weights of the epoch with the
    lowest validation loss (the last epoch without validation) are restored.
    """
    Et = torch.from_numpy(np.ascontiguousarray(E))
    train_idx, val_idx = _split(len(pairs), config.validation, gen)
    seen = np.unique(np.stack([np.concatenate([pairs.prompt[train_idx]] * 2),
                               np.concatenate([pairs.a[train_idx], pairs.b[train_idx]])]), axis=1)
    with torch.no_grad():
        net.standardise(pair_inputs(Et, torch.from_numpy(seen[0]), torch.from_numpy(seen[1])))
    opt = torch.optim.AdamW(net.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    history: list[dict[str, float]] = []
    best, best_state, waited = np.inf, None, 0
    report(progress, 0, config.epochs)
    for epoch in range(config.epochs):
        net.train()
        total = 0.0
        order = train_idx[gen.permutation(len(train_idx))]
        for start in range(0, len(order), config.batch_size):
            batch = order[start : start + config.batch_size]
            loss = pairs.loss(net, Et, batch)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(batch)
        net.eval()
        row = {"epoch": epoch + 1, "train_loss": total / max(len(train_idx), 1)}
        if len(val_idx):
            row["val_loss"] = _epoch_loss(net, Et, pairs, val_idx)
        history.append(row)
        report(progress, epoch + 1, config.epochs)
        score = row.get("val_loss", -epoch)
        if score < best - 1e-6:
            best, waited = score, 0
            best_state = {k: v.detach().clone() for k, v in net.state_dict().items()}
        else:
            waited += 1
            if len(val_idx) and waited >= config.patience:
                break
    if best_state is not None:
        net.load_state_dict(best_state)
    report(progress, config.epochs, config.epochs)
    return history


@contextmanager
def torch_seed(gen: np.random.Generator) -> Iterator[None]:
    """Seed torch's global generator from ``gen`` inside the block; restore it afterwards."""
    seed = int(gen.integers(2**62))
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        yield


@contextmanager
def one_thread() -> Iterator[None]:
    """Run torch on one intra-op thread inside the block (restored afterwards).

    The head's matrices are small (a batch of 256 × 1152 inputs): thread start-up costs more
    than it gains, and on a busy machine oversubscription made a training step 12× slower
    (108 ms with 2 threads, 8.7 ms with 1, measured on this repository's 2-core machine).
    """
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)
