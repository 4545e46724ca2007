"""Build the moral-graph demo deliberation ``data/moralgraph_demo/graph.json`` (simulated votes).

Usage (from the repository root, with the toolkit importable, e.g. its ``.venv``)::

    python data/moralgraph_demo/build.py            # write data/moralgraph_demo/graph.json
    python data/moralgraph_demo/build.py --check    # exit 1 if the shipped file is out of date
    python data/moralgraph_demo/build.py --out F    # write to another file

What it does, deterministically:

1. Reads the hand-written parts next to this file: the 20 value cards (``cards.json``, in the
   ``ValueCard.to_dict`` form), the 3 contexts (``contexts.json``) and the latent wisdom we
   assigned to every card in every context (``latent.json``: ``{context: {card: wisdom}}``,
   ``null`` where a card is not judged in that context).
2. Draws the votes with :func:`moralgraph._simulate.simulate_votes`: ``N_PARTICIPANTS``
   simulated participants ``p0 … p49`` cast ``VOTES_PER_PARTICIPANT`` votes each on distinct
   ordered pairs, each in a context drawn uniformly; the verdict is a noisy comparison of the
   two cards' latent wisdom in that context (Thurstone Case V, perception noise ``NOISE``),
   "unsure" with base rate ``UNSURE_RATE``; ``numpy.random.default_rng(SEED)``.
3. Writes the graph with :meth:`moralgraph.MoralGraph.to_json` (indent 2, UTF-8, LF, a final
   line break).

Licence of the data and of this script: CC0 1.0 (see README.md).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:  # run as a script from a checkout: import the toolkit's moralgraph
    sys.path.insert(0, str(ROOT))

from moralgraph import Context, MoralGraph, ValueCard  # noqa: E402
from moralgraph._simulate import simulate_votes  # noqa: E402

OUT = HERE / "graph.json"
SEED = 2404  # arXiv 2404.10636
N_PARTICIPANTS = 50
VOTES_PER_PARTICIPANT = 8
NOISE = 0.7
UNSURE_RATE = 0.1

log = logging.getLogger("moralgraph_demo.build")


def _read(name: str) -> object:
    return json.loads((HERE / name).read_text(encoding="utf-8"))


def graph(seed: int = SEED) -> MoralGraph:
    """The demo graph: the hand-written cards and contexts with simulated votes."""
    cards = [ValueCard.from_dict(item) for item in _read("cards.json")]
    contexts = [Context.from_dict(item) for item in _read("contexts.json")]
    return simulate_votes(
        cards, _read("latent.json"), contexts, N_PARTICIPANTS, VOTES_PER_PARTICIPANT,
        noise=NOISE, unsure_rate=UNSURE_RATE, rng=seed,
    ).graph


def render(seed: int = SEED) -> bytes:
    """The bytes of ``graph.json``."""
    return (graph(seed).to_json(indent=2) + "\n").encode("utf-8")


def build(out: Path = OUT, seed: int = SEED) -> Path:
    """Write the graph to ``out`` and return the path."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(render(seed))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"output file (default: {OUT})")
    parser.add_argument(
        "--check", action="store_true", help="do not write; fail if the file at --out differs"
    )
    args = parser.parse_args(argv)
    if args.check:
        if not args.out.is_file() or args.out.read_bytes() != render():
            log.error("Out of date: %s. Run data/moralgraph_demo/build.py.", args.out)
            return 1
        log.info("Up to date: %s", args.out)
        return 0
    log.info("wrote %s", build(args.out))
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    sys.exit(main())
