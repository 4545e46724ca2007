"""What each participant is shown next: drawn once, stored, logged.

A draw is stored per participant and kind (``Draw``), so reloading the page shows the same
items until they are answered; every new draw is appended to the exposure log
(``Exposure``: kind, items in the order shown, and the time), so position and framing
effects can be studied afterwards. Orders are randomised per participant.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from ._schema import (
    Adoption,
    Answer,
    Draw,
    Exposure,
    Participant,
    Prompt,
    Ranking,
    Statement,
    StatementVote,
    WiserVoteRow,
)
from ._upsert import upsert

__all__ = ["draw_pairs", "draw_statement", "ranking_tasks"]


def _stored(session: Session, participant: Participant, kind: str) -> list[Any] | None:
    return session.scalar(
        select(Draw.payload).where(Draw.participant_id == participant.id, Draw.kind == kind)
    )


def _store_draw(session: Session, participant: Participant, kind: str, items: list[Any]) -> None:
    upsert(session, Draw, {"participant_id": participant.id, "kind": kind, "payload": items},
           ("participant_id", "kind"))
    session.add(Exposure(participant_id=participant.id, kind=kind, payload={"items": items}))


def draw_pairs(
    session: Session, participant: Participant, graph: Any, context: str, n: int,
    rng: np.random.Generator,
) -> list[tuple[int, int]]:
    """Up to ``n`` (from card, to card) questions for ``context``; the stored draw if unanswered.

    Pairs come from :func:`moralgraph.suggest_pairs` (uncertain edges and little-judged
    cards first), without the pairs the participant already judged (in either direction)
    and without their own cards as the "from" value.
    """
    from moralgraph import suggest_pairs

    judged = {
        frozenset(p) for p in session.execute(
            select(WiserVoteRow.from_card_id, WiserVoteRow.to_card_id)
            .where(WiserVoteRow.participant_id == participant.id)
        )
    }
    kind = f"wiser:{context}"
    stored = _stored(session, participant, kind)
    if stored and any(frozenset(p) not in judged for p in stored):
        return [tuple(p) for p in stored if frozenset(p) not in judged]
    own = set(session.scalars(
        select(Adoption.card_id).where(Adoption.participant_id == participant.id)
    ))
    m = len(graph.values)
    if m < 2:
        return []
    wanted = min(m * (m - 1), 4 * n + 2 * len(judged) + len(own) * (m - 1))
    suggestions = suggest_pairs(graph, context, wanted, rng=rng)
    pairs: list[tuple[int, int]] = []
    for source, target in zip(suggestions["from_value"], suggestions["to_value"], strict=True):
        pair = (int(source), int(target))
        if int(source) in own or frozenset(pair) in judged or frozenset(pair) in map(
            frozenset, pairs
        ):
            continue
        pairs.append(pair)
        if len(pairs) == n:
            break
    _store_draw(session, participant, kind, [list(p) for p in pairs])
    return pairs


def draw_statement(
    session: Session, participant: Participant, rng: np.random.Generator
) -> int | None:
    """The next approved statement to vote on: fewest votes first, ties at random.

    The participant's own submitted statements are included once approved; None when every
    approved statement has their vote.
    """
    voted = set(session.scalars(
        select(StatementVote.statement_id).where(StatementVote.participant_id == participant.id)
    ))
    stored = _stored(session, participant, "statement")
    if stored and stored[0] not in voted:
        return int(stored[0])
    approved = [
        s for s in session.scalars(
            select(Statement.id).where(
                Statement.deliberation_id == participant.deliberation_id,
                Statement.status == "approved",
            ).order_by(Statement.id)
        ) if s not in voted
    ]
    if not approved:
        return None
    from ._answers import vote_counts

    counts = vote_counts(session, approved)
    fewest = min(counts.values())
    choice = int(rng.choice([s for s in approved if counts[s] == fewest]))
    _store_draw(session, participant, "statement", [choice])
    return choice


def ranking_tasks(
    session: Session, participant: Participant, rng: np.random.Generator
) -> list[dict[str, Any]]:
    """Every prompt with its answers in this participant's (stored, random) order.

    Each task: ``prompt_id``, ``prompt``, ``answers`` (list of ``(answer_id, text, model)``
    in display order) and ``ranked`` (the participant's stored ranking or None).
    """
    tasks = []
    prompts = session.scalars(
        select(Prompt).where(Prompt.deliberation_id == participant.deliberation_id)
        .order_by(Prompt.id)
    ).all()
    for prompt in prompts:
        answers = {
            a.id: a for a in session.scalars(select(Answer).where(Answer.prompt_id == prompt.id))
        }
        if len(answers) < 2:
            continue
        kind = f"answers:{prompt.id}"
        order = _stored(session, participant, kind)
        if order is None or sorted(order) != sorted(answers):
            order = [int(a) for a in rng.permutation(sorted(answers))]
            _store_draw(session, participant, kind, order)
        ranked = session.scalar(select(Ranking.answer_ids).where(
            Ranking.participant_id == participant.id, Ranking.prompt_id == prompt.id
        ))
        tasks.append({
            "prompt_id": prompt.id,
            "prompt": prompt.text,
            "answers": [(a, answers[a].text, answers[a].model) for a in order],
            "ranked": ranked,
        })
    return tasks

