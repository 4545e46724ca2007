"""Reading a deliberation out: analysis objects (moral graph, vote matrix) and export tables.

Everything here reads; nothing writes. Tables are pandas DataFrames, one per entity, each
with an ``id`` column, in the shape :meth:`deliberation.Store.export` documents.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ._schema import (
    Adoption,
    Answer,
    Context,
    Deliberation,
    Exposure,
    Message,
    Participant,
    Prompt,
    Ranking,
    Statement,
    StatementVote,
    StepCompletion,
    SurveyAnswer,
    SVOResponse,
    ValueCardRow,
    WiserVoteRow,
)

__all__ = ["EXPORT_TABLES", "export_tables", "moral_graph", "preference_data", "vote_matrix"]

#: The feature value of a participant who left a demographics field empty.
NOT_GIVEN = "not given"

#: The tables of an export, in the order they are written.
EXPORT_TABLES = (
    "deliberation",
    "contexts",
    "participants",
    "statements",
    "prompts",
    "answers",
    "value_cards",
    "adoptions",
    "wiser_votes",
    "statement_votes",
    "rankings",
    "svo_responses",
    "messages",
    "survey_answers",
    "step_completions",
    "exposures",
)

# Export table -> (model, columns, how the rows belong to the deliberation).
_OWNED_BY_PARTICIPANT = {
    "adoptions": (Adoption, ["participant_id", "card_id", "created_at"]),
    "wiser_votes": (
        WiserVoteRow,
        ["participant_id", "from_card_id", "to_card_id", "context_id", "verdict", "reason",
         "created_at"],
    ),
    "statement_votes": (StatementVote, ["participant_id", "statement_id", "vote", "created_at"]),
    "rankings": (Ranking, ["participant_id", "prompt_id", "answer_ids", "created_at"]),
    "svo_responses": (SVOResponse, ["participant_id", "item", "choice", "created_at"]),
    "messages": (
        Message, ["participant_id", "role", "content", "model", "prompt_version", "created_at"]
    ),
    "survey_answers": (SurveyAnswer, ["participant_id", "question", "answer", "created_at"]),
    "step_completions": (StepCompletion, ["participant_id", "step", "skipped", "completed_at"]),
    "exposures": (Exposure, ["participant_id", "kind", "payload", "created_at"]),
}


def _frame(rows: list[Any], columns: list[str]) -> Any:
    import pandas as pd

    return pd.DataFrame(
        [[getattr(r, c) for c in ["id", *columns]] for r in rows], columns=["id", *columns]
    )


def export_tables(session: Session, deliberation_id: int) -> dict[str, Any]:
    """One DataFrame per entity of the deliberation (see :data:`EXPORT_TABLES`)."""
    row = session.get(Deliberation, deliberation_id)
    people = select(Participant.id).where(Participant.deliberation_id == deliberation_id)
    prompt_ids = select(Prompt.id).where(Prompt.deliberation_id == deliberation_id)

    def owned(model: Any) -> list[Any]:
        return list(session.scalars(
            select(model).where(model.deliberation_id == deliberation_id).order_by(model.id)
        ))

    participants = owned(Participant)
    tables = {
        "deliberation": _frame([row], [
            "title", "question", "consent_text", "consent_version", "steps", "demographics",
            "settings", "is_open", "created_at",
        ]),
        "contexts": _frame(owned(Context), ["key", "text"]),
        "participants": _frame(participants, [
            "xid", "features", "consent_version", "consented_at", "finished_at", "created_at",
        ]),
        "statements": _frame(owned(Statement), ["participant_id", "text", "status", "created_at"]),
        "prompts": _frame(owned(Prompt), ["text"]),
        "answers": _frame(list(session.scalars(
            select(Answer).where(Answer.prompt_id.in_(prompt_ids)).order_by(Answer.id)
        )), ["prompt_id", "text", "model"]),
        "value_cards": _frame(owned(ValueCardRow), [
            "participant_id", "context_id", "title", "description", "policies", "model",
            "created_at",
        ]),
    }
    for name, (model, columns) in _OWNED_BY_PARTICIPANT.items():
        rows = list(session.scalars(
            select(model).where(model.participant_id.in_(people)).order_by(model.id)
        ))
        tables[name] = _frame(rows, columns)
    return {name: tables[name] for name in EXPORT_TABLES}


def moral_graph(session: Session, deliberation_id: int) -> Any:
    """The deliberation's cards, contexts and wiser votes as a :class:`moralgraph.MoralGraph`.

    Value ids are the card ids as text; a card's ``authors`` are the participants who hold
    it (wrote or adopted it), as text; context ids are the context keys. Votes are in the
    order they were last written, so the graph's replacement rule sees them as stored.
    """
    from moralgraph import Context as GraphContext
    from moralgraph import MoralGraph, ValueCard, WiserVote

    contexts = {
        c.id: c for c in session.scalars(
            select(Context).where(Context.deliberation_id == deliberation_id)
        )
    }
    holders: dict[int, list[str]] = {}
    for participant_id, card_id in session.execute(
        select(Adoption.participant_id, Adoption.card_id)
        .join(ValueCardRow, ValueCardRow.id == Adoption.card_id)
        .where(ValueCardRow.deliberation_id == deliberation_id)
        .order_by(Adoption.id)
    ):
        holders.setdefault(card_id, []).append(str(participant_id))
    cards = [
        ValueCard(
            str(card.id), card.title, card.description, tuple(card.policies),
            authors=tuple(holders.get(card.id, ())),
            context=contexts[card.context_id].key if card.context_id in contexts else None,
        )
        for card in session.scalars(
            select(ValueCardRow)
            .where(ValueCardRow.deliberation_id == deliberation_id)
            .order_by(ValueCardRow.id)
        )
    ]
    votes = [
        WiserVote(
            str(v.participant_id), str(v.from_card_id), str(v.to_card_id),
            contexts[v.context_id].key, v.verdict,
        )
        for v in session.scalars(
            select(WiserVoteRow)
            .join(Context, Context.id == WiserVoteRow.context_id)
            .where(Context.deliberation_id == deliberation_id)
            .order_by(WiserVoteRow.created_at, WiserVoteRow.id)
        )
    ]
    graph_contexts = [GraphContext(c.key, c.text) for c in contexts.values()]
    return MoralGraph(cards, votes, graph_contexts)


def vote_matrix(session: Session, deliberation_id: int) -> Any:
    """Participants × approved statements: +1 agree, −1 disagree, 0 pass, NaN not seen.

    Rows are participant ids with at least one vote, columns statement ids (approved only),
    both in id order — the layout :mod:`socialchoice.bridging` analyses.
    """
    import numpy as np
    import pandas as pd

    statements = list(session.scalars(
        select(Statement.id)
        .where(Statement.deliberation_id == deliberation_id, Statement.status == "approved")
        .order_by(Statement.id)
    ))
    rows = session.execute(
        select(StatementVote.participant_id, StatementVote.statement_id, StatementVote.vote)
        .where(StatementVote.statement_id.in_(statements))
    ).all()
    people = sorted({r[0] for r in rows})
    matrix = np.full((len(people), len(statements)), np.nan)
    if rows:
        where_person = {p: i for i, p in enumerate(people)}
        where_statement = {s: j for j, s in enumerate(statements)}
        votes = np.array(rows, dtype=np.int64)
        matrix[
            [where_person[p] for p in votes[:, 0]], [where_statement[s] for s in votes[:, 1]]
        ] = votes[:, 2]
    return pd.DataFrame(
        matrix,
        index=pd.Index(people, name="participant_id"),
        columns=pd.Index(statements, name="statement_id"),
    )


def preference_data(session: Session, deliberation_id: int) -> Any:
    """The participants' rankings of model answers as :class:`rlchf.PreferenceData`.

    ``kind="ranking"``: one row per ranking and answer (``rank`` 0 = best), the annotator is
    the participant id (text), and the features are the deliberation's demographics fields
    (an empty field is ``"not given"``).
    """
    import pandas as pd

    from rlchf import PreferenceData

    deliberation = session.get(Deliberation, deliberation_id)
    features = [field["name"] for field in deliberation.demographics]
    rows = session.execute(
        select(Ranking.participant_id, Ranking.prompt_id, Ranking.answer_ids,
               Prompt.text, Participant.features)
        .join(Prompt, Prompt.id == Ranking.prompt_id)
        .join(Participant, Participant.id == Ranking.participant_id)
        .where(Prompt.deliberation_id == deliberation_id)
        .order_by(Ranking.id)
    ).all()
    answers = dict(session.execute(
        select(Answer.id, Answer.text).join(Prompt, Prompt.id == Answer.prompt_id)
        .where(Prompt.deliberation_id == deliberation_id)
    ).all())
    records = [
        {
            "prompt_id": str(prompt_id), "prompt": prompt, "response_id": str(answer),
            "response": answers[answer], "annotator_id": str(person), "rank": position,
            **{f: (given or {}).get(f, NOT_GIVEN) for f in features},
        }
        for person, prompt_id, order, prompt, given in rows
        for position, answer in enumerate(order)
    ]
    columns = ["prompt_id", "prompt", "response_id", "response", "annotator_id", "rank",
               *features]
    return PreferenceData.from_pandas(
        pd.DataFrame(records, columns=columns), kind="ranking", features=features
    )
