"""Voting rules, one module per family; importing this package fills the registry.

condorcet   Copeland, Llull, minimax, Condorcet
tournament  Smith, Schwartz, uncovered set
graph       Schulze (beat path), Split Cycle
ranked_pairs  ranked pairs, stable voting
positional  plurality, Borda, anti-plurality, Bucklin, Black
runoff      instant runoff, Coombs, Baldwin, strict Nanson
optimal     Kemeny, Slater, maximal lotteries
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
