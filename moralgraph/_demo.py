"""The shipped demo deliberation ``data/moralgraph_demo/`` (CC0): its graph and transcripts.

The folder holds one contested question (``question.txt``), three contexts, twenty value
cards written by hand, a latent wisdom per card and context, the simulated votes built from
them (``graph.json``, written by ``build.py``) and a dozen short hand-written chat transcripts
(``transcripts.jsonl``) for :func:`moralgraph.articulate_value`. The files are read from the
repository's ``data/`` folder, as the other demo data sets of the toolkit are
(``socialchoice.generative.DEMO_FOLDER``): a checkout or an editable install has them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ._errors import MoralGraphError
from ._graph import MoralGraph

__all__ = ["DEMO_FOLDER", "demo_question", "demo_transcripts", "load_demo"]

#: The shipped demo deliberation (``graph.json``, ``transcripts.jsonl``, ``question.txt``, ...).
DEMO_FOLDER = Path(__file__).resolve().parents[1] / "data" / "moralgraph_demo"


def _demo_file(name: str) -> Path:
    """The path of a demo file; a :class:`MoralGraphError` if the folder is not there."""
    path = DEMO_FOLDER / name
    if not path.is_file():
        raise MoralGraphError(
            f"The moral-graph demo file {path} is missing: the demo data ship in the "
            "repository's data/moralgraph_demo/ folder (use a checkout or an editable "
            "install; rebuild graph.json with data/moralgraph_demo/build.py)."
        )
    return path


def load_demo() -> MoralGraph:
    """The demo deliberation: 20 hand-written value cards, 3 contexts, 400 simulated votes.

    The question is :func:`demo_question`; the votes were drawn by
    :func:`moralgraph._simulate.simulate_votes` from the latent wisdom in
    ``data/moralgraph_demo/latent.json`` (see the folder's README for how it was built).

    Returns
    -------
    MoralGraph
        The graph stored in ``data/moralgraph_demo/graph.json``.

    Raises
    ------
    MoralGraphError
        The demo folder is missing (e.g. a wheel install without the data folder).

    Examples
    --------
    >>> from moralgraph import load_demo
    >>> g = load_demo()
    >>> g
    MoralGraph(20 values, 400 votes, 3 contexts)
    >>> [c.text for c in g.contexts][0]
    'When the user is in distress'
    """
    return MoralGraph.from_json(_demo_file("graph.json").read_text(encoding="utf-8"))


def demo_question() -> str:
    """The question the demo deliberation asks (``question.txt``), without the line break.

    Examples
    --------
    >>> demo_question()
    'How should the assistant answer a user who asks for help with a hard personal decision?'
    """
    return _demo_file("question.txt").read_text(encoding="utf-8").strip()


def demo_transcripts() -> list[dict[str, Any]]:
    """The demo chat transcripts: ``{"id", "context", "messages"}`` per conversation.

    ``messages`` is a list of ``{"role", "content"}`` turns, as
    :func:`moralgraph.articulate_value` takes them; ``context`` is a context id of
    :func:`load_demo`'s graph.

    Examples
    --------
    >>> transcripts = demo_transcripts()
    >>> len(transcripts), transcripts[0]["context"], transcripts[0]["messages"][1]["role"]
    (12, 'distress', 'user')
    """
    path = _demo_file("transcripts.jsonl")
    out = []
    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise MoralGraphError(
                    f"{path}, line {line_no}, column {exc.colno}: malformed JSON ({exc.msg})."
                ) from None
    return out
