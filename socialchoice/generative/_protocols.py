"""The two oracles of generative social choice: a rater and a generator.

Algorithms in :mod:`socialchoice.generative` talk to the world only through these small
protocols, so they run unchanged with an exact oracle over a finite pool
(:class:`~socialchoice.generative.PoolGenerator`), an embedding model or a language model.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

__all__ = ["Generator", "Rater"]


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

    ``generate(agent_ids, r)`` returns the statement that (ideally) maximises the ``r``-th
    highest utility among the agents ``agent_ids``, i.e. the statement that ``r`` of them
    like as much as possible. An exact generator over a finite pool is
    :class:`~socialchoice.generative.PoolGenerator`. A generator whose ``generate`` accepts a
    keyword argument ``rng`` receives a :class:`numpy.random.Generator` from
    :func:`~socialchoice.generative.generate_slate` (one child stream per round).

    References
    ----------
    .. [1] S. Fish, P. Gölz, D. C. Parkes, A. D. Procaccia, G. Rusak, I. Shapira and
       M. Wüthrich, 'Generative Social Choice', arXiv:2309.01291 (2023), §2 (generative
       queries) and §3 (the r-th highest utility objective).

    Examples
    --------
    >>> class Echo:
    ...     def generate(self, agent_ids, r):
    ...         return f"a statement for {r} of {len(agent_ids)} agents"
    >>> isinstance(Echo(), Generator)
    True
    >>> Echo().generate([0, 1, 2], 2)
    'a statement for 2 of 3 agents'
    """

    def generate(self, agent_ids: Sequence[Hashable], r: int) -> str:
        """The statement that maximises the ``r``-th highest utility among ``agent_ids``."""
        ...
