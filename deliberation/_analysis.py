"""The results pages' data: rankings as social-choice profiles, TRL pairs, SVO, opinions.

Each reader takes the session and a deliberation id and reads only the tables it needs;
the pure functions (:func:`rule_ranking`, :func:`compare_rules`, :func:`margin_frame`,
:func:`trl_pairs`) turn what was read into the tables the pages show. The maths is
:mod:`socialchoice`'s and :mod:`svo`'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ._exchange import NOT_GIVEN, vote_matrix
from ._schema import (
    Answer,
    Deliberation,
    Message,
    Participant,
    Prompt,
    Ranking,
    Statement,
    SVOResponse,
)

if TYPE_CHECKING:
    import pandas as pd

    import socialchoice as sc

__all__ = [
    "COMPARED_RULES",
    "PromptRankings",
    "compare_rules",
    "conversation",
    "margin_frame",
    "opinions",
    "prompt_rankings",
    "rule_ranking",
    "svo_survey",
    "top_values_graph",
    "trl_pairs",
]

#: The rules the Rankings page shows side by side.
COMPARED_RULES = ("copeland", "minimax", "schulze", "borda", "ranked_pairs", "maximal_lottery")


@dataclass(frozen=True)
class PromptRankings:
    """One prompt, its answers and the participants' rankings of them (best first).

    Attributes
    ----------
    prompt_id : int
    prompt : str
    answers : dict of int to str
        Answer id -> text, in id order.
    rankings : list of list of int
        One ranking per participant who ranked the prompt: answer ids, best first.
    """

    prompt_id: int
    prompt: str
    answers: dict[int, str]
    rankings: list[list[int]] = field(default_factory=list)

    def profile(self) -> sc.Profile:
        """The rankings as a :class:`socialchoice.Profile` over the answer ids.

        Examples
        --------
        >>> p = PromptRankings(1, "Q?", {10: "a", 11: "b"}, [[10, 11], [11, 10], [10, 11]])
        >>> p.profile().num_voters, p.profile().candidates
        (3, (10, 11))
        """
        import socialchoice as sc

        return sc.Profile(self.rankings, candidates=list(self.answers))


def prompt_rankings(session: Session, deliberation_id: int) -> list[PromptRankings]:
    """Every prompt of the deliberation with its answers and rankings, in prompt id order."""
    prompts = session.execute(
        select(Prompt.id, Prompt.text).where(Prompt.deliberation_id == deliberation_id)
        .order_by(Prompt.id)
    ).all()
    answers: dict[int, dict[int, str]] = {p: {} for p, _ in prompts}
    for answer_id, prompt_id, text in session.execute(
        select(Answer.id, Answer.prompt_id, Answer.text)
        .join(Prompt, Prompt.id == Answer.prompt_id)
        .where(Prompt.deliberation_id == deliberation_id).order_by(Answer.id)
    ):
        answers[prompt_id][answer_id] = text
    rankings: dict[int, list[list[int]]] = {p: [] for p, _ in prompts}
    for prompt_id, order in session.execute(
        select(Ranking.prompt_id, Ranking.answer_ids)
        .join(Prompt, Prompt.id == Ranking.prompt_id)
        .where(Prompt.deliberation_id == deliberation_id).order_by(Ranking.id)
    ):
        rankings[prompt_id].append([int(a) for a in order])
    return [PromptRankings(p, text, answers[p], rankings[p]) for p, text in prompts]


def rule_ranking(profile: sc.Profile, rule: str) -> list[list[Any]]:
    """The collective ranking (tiers, best first) of ``profile`` under ``rule``.

    Rules that produce an order use :func:`socialchoice.ranking`; the maximal lottery
    ranks by its probabilities (equal probabilities share a tier).

    Examples
    --------
    >>> import socialchoice as sc
    >>> p = sc.Profile([["a", "b", "c"], ["b", "a", "c"], ["a", "c", "b"]])
    >>> rule_ranking(p, "borda"), rule_ranking(p, "maximal_lottery")
    ([['a'], ['b'], ['c']], [['a'], ['b', 'c']])
    """
    import numpy as np

    import socialchoice as sc

    if rule != "maximal_lottery":
        return sc.ranking(profile, rule)
    chances = np.round(sc.maximal_lottery(profile.margin_matrix()), 9)
    tiers: dict[float, list[Any]] = {}
    for candidate, p in sorted(zip(profile.candidates, chances, strict=True),
                               key=lambda pair: -pair[1]):
        tiers.setdefault(float(p), []).append(candidate)
    return list(tiers.values())


def compare_rules(
    profile: sc.Profile, rules: Sequence[str] = COMPARED_RULES
) -> pd.DataFrame:
    """Each candidate's place (1 = best; tied candidates share a place) under each rule.

    Examples
    --------
    >>> import socialchoice as sc
    >>> p = sc.Profile([["a", "b", "c"], ["b", "a", "c"], ["a", "c", "b"]])
    >>> compare_rules(p, ["borda", "minimax"]).to_dict("list")
    {'candidate': ['a', 'b', 'c'], 'borda': [1, 2, 3], 'minimax': [1, 2, 3]}
    """
    import pandas as pd

    table = pd.DataFrame({"candidate": list(profile.candidates)})
    for rule in rules:
        place = {c: tier_index + 1 for tier_index, tier in enumerate(rule_ranking(profile, rule))
                 for c in tier}
        table[rule] = [place[c] for c in profile.candidates]
    return table


def margin_frame(profile: sc.Profile) -> pd.DataFrame:
    """The margin matrix (row beats column by this many voters) as a labelled table.

    Examples
    --------
    >>> import socialchoice as sc
    >>> margin_frame(sc.Profile([["a", "b"], ["a", "b"], ["b", "a"]])).to_dict("list")
    {'a': [0, -1], 'b': [1, 0]}
    """
    import pandas as pd

    labels = list(profile.candidates)
    return pd.DataFrame(profile.margin_matrix(), index=labels, columns=labels)


def trl_pairs(prompts: Sequence[PromptRankings]) -> pd.DataFrame:
    """Preference pairs ``prompt, chosen, rejected`` (TRL's format) from every ranking.

    A ranking of m answers gives the m(m-1)/2 pairs of an answer ranked above another.

    Examples
    --------
    >>> p = PromptRankings(1, "Q?", {1: "good", 2: "ok", 3: "bad"}, [[1, 2, 3]])
    >>> trl_pairs([p]).values.tolist()
    [['Q?', 'good', 'ok'], ['Q?', 'good', 'bad'], ['Q?', 'ok', 'bad']]
    """
    import pandas as pd

    rows = [
        (p.prompt, p.answers[order[i]], p.answers[order[j]])
        for p in prompts for order in p.rankings
        for i in range(len(order)) for j in range(i + 1, len(order))
    ]
    return pd.DataFrame(rows, columns=["prompt", "chosen", "rejected"])


def svo_survey(session: Session, deliberation_id: int) -> pd.DataFrame:
    """The SVO answers in :func:`svo.read_survey`'s wide layout, one row per respondent.

    Columns: ``respondent`` (participant id), the demographics fields (``"not given"`` when
    empty), ``item1`` … ``item6`` and, when anyone answered them, ``item7`` … ``item15``
    (option indices 0–8; NaN where not answered).
    """
    import numpy as np
    import pandas as pd

    import svo

    form = [f["name"] for f in session.get(Deliberation, deliberation_id).demographics]
    rows = session.execute(
        select(SVOResponse.participant_id, SVOResponse.item, SVOResponse.choice,
               Participant.features)
        .join(Participant, Participant.id == SVOResponse.participant_id)
        .where(Participant.deliberation_id == deliberation_id)
    ).all()
    n_items = svo.N_ITEMS if any(item > svo.N_PRIMARY for _, item, _, _ in rows) else svo.N_PRIMARY
    items = [f"item{i}" for i in range(1, n_items + 1)]
    people = sorted({r[0] for r in rows})
    where = {p: i for i, p in enumerate(people)}
    answers = np.full((len(people), n_items), np.nan)
    features: dict[int, dict[str, Any]] = {}
    for person, item, choice, given in rows:
        answers[where[person], item - 1] = choice
        features[person] = given or {}
    table = pd.DataFrame({"respondent": people})
    for name in form:
        table[name] = [str(features[p].get(name, NOT_GIVEN)) for p in people]
    return pd.concat([table, pd.DataFrame(answers, columns=items)], axis=1)


def opinions(session: Session, deliberation_id: int) -> Any:
    """Each participant's chat turns joined as their opinion (:class:`Opinions`).

    Participants without a chat turn are left out.
    """
    from socialchoice.generative import Opinions

    deliberation = session.get(Deliberation, deliberation_id)
    texts: dict[int, list[str]] = {}
    for person, content in session.execute(
        select(Message.participant_id, Message.content)
        .join(Participant, Participant.id == Message.participant_id)
        .where(Participant.deliberation_id == deliberation_id, Message.role == "user")
        .order_by(Message.id)
    ):
        texts.setdefault(person, []).append(content)
    people = sorted(texts)
    return Opinions(
        participants=tuple(str(p) for p in people),
        texts=tuple(" ".join(texts[p]) for p in people),
        name=f"deliberation-{deliberation_id}",
        question=deliberation.question,
    )


def conversation(session: Session, deliberation_id: int) -> Any:
    """The approved statements and their votes as a :class:`socialchoice.bridging.Conversation`.

    Rows are the participants with a vote (ids ascending), columns the approved statements
    (ids ascending); no Polis groups (every participant -1), so the analysis recomputes them.
    """
    import numpy as np

    from socialchoice.bridging import Conversation
    from socialchoice.bridging import Statement as PolisStatement

    matrix = vote_matrix(session, deliberation_id)
    votes = matrix.to_numpy()
    rows = {
        s.id: s for s in session.scalars(
            select(Statement).where(Statement.deliberation_id == deliberation_id,
                                    Statement.status == "approved")
        )
    }
    statements = tuple(
        PolisStatement(
            int(sid), rows[sid].text, author_id=int(rows[sid].participant_id or -1),
            moderated=1, timestamp=0, agrees=int(np.sum(votes[:, j] == 1)),
            disagrees=int(np.sum(votes[:, j] == -1)),
        )
        for j, sid in enumerate(matrix.columns)
    )
    deliberation = session.get(Deliberation, deliberation_id)
    return Conversation(
        name=f"deliberation-{deliberation_id}", statements=statements,
        participant_ids=np.asarray(matrix.index, dtype=np.int64), votes=votes,
        polis_groups=np.full(len(matrix), -1, dtype=np.int64),
        summary={"topic": deliberation.title},
    )


def top_values_graph(
    graph: Any, context: Any = None, k: int = 16, *, propagation: float = 0.85
) -> Any:
    """The moral graph cut down to its ``k`` highest-scoring values (flow) in ``context``.

    The values keep their cards; only the votes between two kept values stay. A picture of
    a large deliberation (thousands of cards) draws this instead of every card.

    Examples
    --------
    >>> from moralgraph import MoralGraph, ValueCard, WiserVote
    >>> cards = [ValueCard(i, i.title(), "", ["x"]) for i in ("a", "b", "c")]
    >>> votes = [WiserVote(p, "a", "b", "c1", "wiser") for p in ("p1", "p2")]
    >>> votes += [WiserVote("p3", "c", "b", "c1", "wiser")]
    >>> small = top_values_graph(MoralGraph(cards, votes), "c1", 2)
    >>> sorted(v.id for v in small.values), len(small.votes)
    (['a', 'b'], 2)
    """
    from moralgraph import MoralGraph

    keep = set(graph.scores(context, propagation=propagation).index[:k])
    return MoralGraph(
        [v for v in graph.values if v.id in keep],
        [v for v in graph.votes if v.from_value in keep and v.to_value in keep],
        graph.contexts,
    )
