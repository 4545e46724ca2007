"""The two oracles of generative social choice (a rater and a generator), and the embedder.

Algorithms in :mod:`socialchoice.generative` talk to the world only through these small
protocols (and report progress as ``progress(done, total)``, :mod:`_common.progress`), so
they run unchanged with an exact oracle over a finite pool
(:class:`~socialchoice.generative.PoolGenerator`), an embedding model or a language model.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Sequence
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from _common.progress import Progress
from _common.validation import parameter_error

from .._errors import GenerativeError

__all__ = ["Embedder", "Generator", "Rater", "check_progress"]


@runtime_checkable
class Rater(Protocol):
    """Something that rates statements for agents: the discriminative query of Fish et al.

    ``rate(agent_ids, statements)`` returns an array of floats of shape
    ``(len(agent_ids), len(statements))``: entry ``[i, j]`` is agent ``agent_ids[i]``'s
    utility for ``statements[j]``. Agent ids are whatever the rater understands (row indices
    ``0..n-1`` for :class:`~socialchoice.generative.PoolGenerator`). A rater may expose an
    attribute ``scale = (lo, hi)``, the closed range of its ratings (0--6 in the paper's
    pilot); :func:`~socialchoice.generative.generate_slate` then checks every rating against it.

    References
    ----------
    .. [1] S. Fish, P. Gölz, D. C. Parkes, A. D. Procaccia, G. Rusak, I. Shapira and
       M. Wüthrich, 'Generative Social Choice', arXiv:2309.01291 (2023), §2 (discriminative
       queries).

    Examples
    --------
    >>> import numpy as np
    >>> class Length:
    ...     def rate(self, agent_ids, statements):
    ...         return np.array([[min(len(s), 6.0) for s in statements] for _ in agent_ids])
    >>> isinstance(Length(), Rater)
    True
    >>> Length().rate([0, 1], ["hi", "a longer one"]).tolist()
    [[2.0, 6.0], [2.0, 6.0]]
    """

    def rate(self, agent_ids: Sequence[Hashable], statements: Sequence[str]) -> NDArray[np.float64]:
        """Utilities of shape ``(len(agent_ids), len(statements))``."""
        ...


@runtime_checkable
class Generator(Protocol):
    """Something that writes a statement for a group: the generative query of Fish et al.

    ``generate(agent_ids, r, *, rng, exclude)`` returns the statement that (ideally)
    maximises the ``r``-th highest utility among the agents ``agent_ids``, i.e. the
    statement that ``r`` of them like as much as possible, and that is not in ``exclude``.
    :func:`~socialchoice.generative.generate_slate` always passes both keywords: ``rng``, a
    :class:`numpy.random.Generator` (a fresh child stream per round), and ``exclude``, the
    statements already on the slate when it asks for distinct statements (else empty).
    An exact generator over a finite pool is :class:`~socialchoice.generative.PoolGenerator`.

    References
    ----------
    .. [1] S. Fish, P. Gölz, D. C. Parkes, A. D. Procaccia, G. Rusak, I. Shapira and
       M. Wüthrich, 'Generative Social Choice', arXiv:2309.01291 (2023), §2 (generative
       queries) and §3 (the r-th highest utility objective).

    Examples
    --------
    >>> class Echo:
    ...     def generate(self, agent_ids, r, *, rng, exclude=()):
    ...         return f"a statement for {r} of {len(agent_ids)} agents"
    >>> isinstance(Echo(), Generator)
    True
    >>> Echo().generate([0, 1, 2], 2, rng=np.random.default_rng(0))
    'a statement for 2 of 3 agents'
    """

    def generate(
        self,
        agent_ids: Sequence[Hashable],
        r: int,
        *,
        rng: np.random.Generator,
        exclude: Collection[str] = (),
    ) -> str:
        """The statement not in ``exclude`` that maximises the ``r``-th highest utility."""
        ...


@runtime_checkable
class Embedder(Protocol):
    """A sentence embedder: ``encode(texts, *, progress=None)`` returns unit-norm rows.

    ``progress(done, total)`` is called as texts are embedded (``lm.load_embedder()``
    returns one).

    Examples
    --------
    >>> class Lengths:
    ...     def encode(self, texts, *, progress=None):
    ...         return np.ones((len(texts), 1))
    >>> isinstance(Lengths(), Embedder)
    True
    """

    def encode(self, texts: Sequence[str], *, progress: Progress = None) -> NDArray[np.float64]:
        """One unit-norm vector per text, shape ``(len(texts), d)``."""
        ...


def check_progress(progress: object, func: str) -> Progress:
    """``progress`` if it is ``None`` or callable, else a :class:`GenerativeError`.

    >>> check_progress(None, "generate_slate") is None
    True
    """
    if progress is not None and not callable(progress):
        raise parameter_error(
            "progress",
            func,
            "a callable progress(done, total) or None",
            progress,
            GenerativeError,
        )
    return progress  # type: ignore[return-value]
