"""Voting rules, one module per family; importing this package fills the registry."""

from . import condorcet  # noqa: F401  (registers rules)
from . import graph, tournament  # noqa: F401
from . import positional, runoff  # noqa: F401
from . import ranked_pairs  # noqa: F401
from . import optimal  # noqa: F401
