"""Voting rules, one module per family; importing this package fills the registry.

condorcet   Copeland, Llull, minimax, Condorcet
tournament  Smith, Schwartz, uncovered set
graph       Schulze (beat path), Split Cycle
ranked_pairs  ranked pairs, stable voting
positional  plurality, Borda, anti-plurality, Bucklin, Black
runoff      instant runoff, Coombs, Baldwin, strict Nanson
optimal     Kemeny, Slater, maximal lotteries

Kemeny, Slater, ranked pairs (with tied margins) and stable voting solve problems that can
take exponential time: they take ``time_limit`` (seconds, default
:data:`socialchoice.DEFAULT_TIME_LIMIT` = 10; ``None`` for no limit) and raise
:class:`socialchoice.TimeLimitError` when it runs out. Path-based rules share one
widest-path kernel, :func:`socialchoice.rules._common.widest_paths`.
"""

from . import (  # noqa: F401  (each module registers its rules)
    condorcet,
    graph,
    optimal,
    positional,
    ranked_pairs,
    runoff,
    tournament,
)
