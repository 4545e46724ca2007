"""What the participant pages ask beyond single answers: the next task, searches, standings.

Every function reads inside the transaction the Store opened, with the participant's row
already checked (valid token); nothing here writes. The pages render the plain dicts these
return, so no counting, ranking or similarity maths happens in a page.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ._errors import AnswerError
from ._schema import (
    Adoption,
    Context,
    Participant,
    Statement,
    StatementVote,
    SVOResponse,
    ValueCardRow,
    WiserVoteRow,
)

__all__ = [
    "card",
    "card_dict",
    "card_standing",
    "held_cards",
    "order_from_ranks",
    "similar_cards",
    "statement_task",
    "svo_result",
    "wiser_contexts",
    "wiser_counts",
]


def card_dict(card: ValueCardRow, context: str | None = None) -> dict[str, Any]:
    """A card as the pages show it: ``id, title, description, policies, context, model``."""
    return {
        "id": int(card.id), "title": card.title, "description": card.description,
        "policies": list(card.policies), "context": context, "model": card.model,
    }


def _context_keys(session: Session, deliberation_id: int) -> dict[int, str]:
    return dict(session.execute(
        select(Context.id, Context.key).where(Context.deliberation_id == deliberation_id)
        .order_by(Context.id)
    ).all())


def _held_cards(session: Session, participant: Participant) -> list[ValueCardRow]:
    return list(session.scalars(
        select(ValueCardRow).join(Adoption, Adoption.card_id == ValueCardRow.id)
        .where(Adoption.participant_id == participant.id).order_by(Adoption.id)
    ))


def similar_cards(
    session: Session,
    participant: Participant,
    title: str,
    policies: Sequence[str],
    embedder: Any,
    top: int,
    min_similarity: float,
) -> list[dict[str, Any]]:
    """The deliberation's cards most like ``title`` + ``policies``, most similar first.

    Cards are embedded as ``dedupe_values`` embeds them (title, then the policies); the
    participant's own cards are left out. Each result is :func:`card_dict` plus
    ``similarity`` (cosine, rounded to 3 places); at most ``top``, none below
    ``min_similarity``.
    """
    held = {c.id for c in _held_cards(session, participant)}
    cards = [
        c for c in session.scalars(
            select(ValueCardRow).where(ValueCardRow.deliberation_id == participant.deliberation_id)
            .order_by(ValueCardRow.id)
        ) if c.id not in held
    ]
    if not cards or not str(title).strip():
        return []
    texts = [f"{title}. " + "; ".join(policies)]
    texts += [f"{c.title}. " + "; ".join(c.policies) for c in cards]
    rows = np.asarray(embedder.encode(texts), dtype=np.float64)
    if rows.ndim != 2 or rows.shape[0] != len(texts) or not np.isfinite(rows).all():
        raise AnswerError(
            f"The embedder must return a finite ({len(texts)}, d) array. Got shape {rows.shape}."
        )
    norms = np.linalg.norm(rows, axis=1)
    norms[norms == 0] = 1.0
    rows = rows / norms[:, None]
    similarity = rows[1:] @ rows[0]
    keys = _context_keys(session, participant.deliberation_id)
    order = sorted(range(len(cards)), key=lambda i: (-similarity[i], cards[i].id))
    return [
        {**card_dict(cards[i], keys.get(cards[i].context_id)),
         "similarity": round(float(similarity[i]), 3)}
        for i in order[:top] if similarity[i] >= min_similarity
    ]


def wiser_counts(session: Session, participant: Participant) -> dict[str, int]:
    """How many wiser-than votes the participant gave in each context (by key)."""
    keys = _context_keys(session, participant.deliberation_id)
    counts = dict.fromkeys(keys.values(), 0)
    for context_id, n in session.execute(
        select(WiserVoteRow.context_id, func.count()).where(
            WiserVoteRow.participant_id == participant.id
        ).group_by(WiserVoteRow.context_id)
    ):
        counts[keys[context_id]] = int(n)
    return counts


def wiser_contexts(session: Session, participant: Participant, which: str) -> list[str]:
    """The contexts the participant judges pairs in: ``"all"`` of the deliberation's, or
    ``"own"`` (those of the cards they hold; all when their cards have none)."""
    keys = _context_keys(session, participant.deliberation_id)
    if which == "own":
        own = [keys[c.context_id] for c in _held_cards(session, participant)
               if c.context_id in keys]
        if own:
            return list(dict.fromkeys(own))
    return list(keys.values())


def card(session: Session, participant: Participant, card_id: int) -> dict[str, Any]:
    """One card of the participant's deliberation as :func:`card_dict`."""
    row = session.get(ValueCardRow, card_id)
    if row is None or row.deliberation_id != participant.deliberation_id:
        raise AnswerError(f"There is no value card {card_id!r} in this deliberation.")
    return card_dict(row, _context_keys(session, participant.deliberation_id).get(row.context_id))


def statement_task(
    session: Session, participant: Participant, statement_id: int | None
) -> dict[str, Any]:
    """The statement to vote on (``id``, ``text``; None when done) and how far they are
    (``voted`` of ``total`` approved statements)."""
    approved = select(Statement.id).where(
        Statement.deliberation_id == participant.deliberation_id, Statement.status == "approved"
    )
    total = session.scalar(select(func.count()).select_from(approved.subquery()))
    voted = session.scalar(select(func.count()).where(
        StatementVote.participant_id == participant.id, StatementVote.statement_id.in_(approved)
    ))
    text = None if statement_id is None else session.get(Statement, statement_id).text
    return {"id": statement_id, "text": text, "voted": int(voted), "total": int(total)}


def card_standing(
    graph: Any, held: list[dict[str, Any]], method: str = "flow"
) -> list[dict[str, Any]]:
    """Where each held card stands in the moral graph: its rank by Γ in its context.

    ``held`` are :func:`card_dict` rows; a card without a context is ranked over all
    contexts. Adds ``rank`` (1 = wisest), ``of`` (values ranked) and ``score``; ``rank`` is
    None when the card has no score there (no votes touch it yet).
    """
    out = []
    for row in held:
        try:
            scores = graph.scores(row["context"], method=method)
        except ValueError:
            scores = None
        key = str(row["id"])
        if scores is None or key not in scores.index:
            out.append({**row, "rank": None, "of": 0 if scores is None else len(scores),
                        "score": None})
            continue
        ranks = scores.rank(ascending=False, method="min")
        out.append({**row, "rank": int(ranks[key]), "of": len(scores),
                    "score": round(float(scores[key]), 4)})
    return out


def held_cards(session: Session, participant: Participant) -> list[dict[str, Any]]:
    """The cards the participant wrote or adopted, as :func:`card_dict` rows."""
    keys = _context_keys(session, participant.deliberation_id)
    return [card_dict(c, keys.get(c.context_id)) for c in _held_cards(session, participant)]


def svo_result(session: Session, participant: Participant) -> dict[str, Any] | None:
    """The participant's SVO angle and category (:func:`svo.score`), None until the six
    primary items are answered; all fifteen items are scored when all are answered."""
    import svo

    choices = dict(session.execute(
        select(SVOResponse.item, SVOResponse.choice).where(
            SVOResponse.participant_id == participant.id
        )
    ).all())
    primary = range(1, svo.N_PRIMARY + 1)
    if not all(i in choices for i in primary):
        return None
    items = range(1, svo.N_ITEMS + 1) if len(choices) == svo.N_ITEMS else primary
    row = svo.score([choices[i] for i in items]).iloc[0]
    return {"angle": round(float(row["angle"]), 2), "category": str(row["category"]),
            "items": len(items)}


def order_from_ranks(ranks: Any) -> list[int]:
    """Answer ids best first from ``{answer_id: rank}`` with ranks 1..k, each used once.

    >>> order_from_ranks({7: 2, 9: 1, 4: 3})
    [9, 7, 4]
    >>> order_from_ranks({7: 1, 9: 1})
    Traceback (most recent call last):
    ...
    deliberation._errors.AnswerError: Give each answer its own place from 1 to 2: place 1 is \
given twice and place 2 to none.
    """
    if not isinstance(ranks, dict) or not ranks:
        raise AnswerError(f"The 'ranks' field must map answer ids to places. Got {ranks!r}.")
    places = list(range(1, len(ranks) + 1))
    missing = [r for r in places if r not in ranks.values()]
    if any(r is None for r in ranks.values()):
        raise AnswerError(f"Give every answer a place from 1 to {len(ranks)}.")
    if missing or sorted(ranks.values()) != places:
        twice = sorted({r for r in ranks.values() if list(ranks.values()).count(r) > 1})
        said = " and ".join(
            part for part in (
                f"place {', '.join(map(str, twice))} is given twice" if twice else "",
                f"place {', '.join(map(str, missing))} to none" if missing else "",
            ) if part
        )
        raise AnswerError(f"Give each answer its own place from 1 to {len(ranks)}: {said}.")
    return [answer for answer, _ in sorted(ranks.items(), key=lambda item: item[1])]


def slate_standing(
    matrix: Any, texts: dict[int, str], participant_id: int, k: int = 5
) -> dict[str, Any] | None:
    """How well the current bridging slate represents one participant.

    The slate is :func:`socialchoice.bridging.bridging_slate` (group-aware consensus, the
    ``k`` statements every opinion group agrees with most) over ``matrix`` (participants ×
    approved statements, as :meth:`Store.vote_matrix`). Returns ``statements`` (the slate's
    texts, in slate order), ``agreed`` (how many of them the participant agreed with),
    ``seen`` (how many they voted on) and ``k``; None when the participant has no vote yet
    or there are fewer than two statements.
    """
    from socialchoice import SocialChoiceError
    from socialchoice.bridging import bridging_slate

    if participant_id not in matrix.index or matrix.shape[1] < 2:
        return None
    votes = matrix.to_numpy()
    size = min(k, matrix.shape[1])
    try:
        slate = bridging_slate(votes, size, rng=0)
    except SocialChoiceError:
        return None
    row = votes[list(matrix.index).index(participant_id)]
    chosen = list(slate.statements)
    return {
        "statements": [texts[int(matrix.columns[j])] for j in chosen],
        "agreed": int(np.sum(row[chosen] == 1)),
        "seen": int(np.sum(~np.isnan(row[chosen]))),
        "k": size,
    }
