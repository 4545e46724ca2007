"""A participant's writes, each inside the transaction the Store opened.

Every function takes the session and the participant's row (already checked: token valid,
deliberation open, write rate within limits) and validates the answer against the
participant's own deliberation; nothing of another deliberation can be named.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ._errors import AnswerError
from ._limits import LIMITS, Limits, clean_text, fingerprint
from ._schema import (
    Adoption,
    Answer,
    Context,
    Message,
    Participant,
    Prompt,
    Ranking,
    Statement,
    StatementVote,
    SurveyAnswer,
    SVOResponse,
    ValueCardRow,
    WiserVoteRow,
)
from ._upsert import upsert

__all__ = [
    "STATEMENT_VOTES",
    "VERDICTS",
    "add_message",
    "adopt_card",
    "answer_survey",
    "context_id",
    "submit_ranking",
    "submit_statement",
    "submit_statement_vote",
    "submit_svo",
    "submit_value_card",
    "submit_wiser_vote",
]

#: Verdicts of a wiser-than vote (as :data:`moralgraph.VERDICTS`).
VERDICTS = ("wiser", "not_wiser", "unsure")
#: Votes on a statement: agree, disagree, pass.
STATEMENT_VOTES = (1, -1, 0)


def context_id(session: Session, deliberation_id: int, context: Any) -> int:
    """The row id of ``context`` (its key, e.g. "When the user is in distress")."""
    row = session.scalar(
        select(Context.id).where(
            Context.deliberation_id == deliberation_id, Context.key == str(context)
        )
    )
    if row is None:
        keys = session.scalars(
            select(Context.key).where(Context.deliberation_id == deliberation_id)
        ).all()
        raise AnswerError(
            f"The 'context' field must be one of this deliberation's contexts {keys}. "
            f"Got {context!r} instead."
        )
    return int(row)


def _card(session: Session, deliberation_id: int, card_id: Any, field: str) -> ValueCardRow:
    card = session.get(ValueCardRow, card_id) if isinstance(card_id, int) else None
    if card is None or card.deliberation_id != deliberation_id:
        raise AnswerError(
            f"The {field!r} field must be the id of a value card of this deliberation. "
            f"Got {card_id!r} instead."
        )
    return card


def submit_value_card(
    session: Session,
    participant: Participant,
    title: Any,
    description: Any,
    policies: Any,
    context: Any = None,
    *,
    model: str | None = None,
    limits: Limits = LIMITS,
) -> int:
    """Store a new card by the participant (who then holds it); returns its id."""
    if isinstance(policies, str) or not isinstance(policies, Sequence):
        raise AnswerError(
            f"The 'policies' field must be a list of 1 to {limits.policies} texts. "
            f"Got {type(policies).__name__} instead."
        )
    cleaned = [clean_text(p, "policies", limits.policy) for p in policies]
    if not 1 <= len(cleaned) <= limits.policies:
        raise AnswerError(
            f"The 'policies' field must be a list of 1 to {limits.policies} texts. "
            f"Got {len(cleaned)} instead."
        )
    card = ValueCardRow(
        deliberation_id=participant.deliberation_id,
        participant_id=participant.id,
        context_id=None if context is None else context_id(
            session, participant.deliberation_id, context
        ),
        title=clean_text(title, "title", limits.title),
        description=clean_text(description, "description", limits.description),
        policies=cleaned,
        model=model,
    )
    session.add(card)
    session.flush()
    session.add(Adoption(participant_id=participant.id, card_id=card.id))
    return int(card.id)


def adopt_card(session: Session, participant: Participant, card_id: Any) -> int:
    """The participant holds an existing card instead of writing a duplicate."""
    card = _card(session, participant.deliberation_id, card_id, "card_id")
    return upsert(
        session, Adoption, {"participant_id": participant.id, "card_id": card.id},
        ("participant_id", "card_id"),
    )


def submit_wiser_vote(
    session: Session,
    participant: Participant,
    from_card: Any,
    to_card: Any,
    context: Any,
    verdict: Any,
    reason: Any = None,
    *,
    limits: Limits = LIMITS,
) -> int:
    """Is moving from ``from_card`` to ``to_card`` a gain in wisdom in ``context``?

    One vote per participant and ordered pair (whatever the context, as in
    :class:`moralgraph.MoralGraph`): a later vote replaces the earlier one.
    """
    source = _card(session, participant.deliberation_id, from_card, "from_card")
    target = _card(session, participant.deliberation_id, to_card, "to_card")
    if source.id == target.id:
        raise AnswerError("The 'to_card' field must differ from 'from_card'. Got the same card.")
    if verdict not in VERDICTS:
        raise AnswerError(
            f"The 'verdict' field must be one of {list(VERDICTS)}. Got {verdict!r} instead."
        )
    values = {
        "participant_id": participant.id,
        "from_card_id": source.id,
        "to_card_id": target.id,
        "context_id": context_id(session, participant.deliberation_id, context),
        "verdict": verdict,
        "reason": None if reason is None else clean_text(
            reason, "reason", limits.reason, allow_empty=True
        ) or None,
    }
    return upsert(session, WiserVoteRow, values, ("participant_id", "from_card_id", "to_card_id"))


def submit_statement(
    session: Session, participant: Participant, text: Any, *, limits: Limits = LIMITS
) -> int:
    """A statement written by the participant, queued for moderation ("pending")."""
    cleaned = clean_text(text, "statement", limits.statement)
    key = fingerprint(cleaned)
    existing = session.scalar(
        select(Statement.id).where(
            Statement.deliberation_id == participant.deliberation_id,
            Statement.fingerprint == key,
        )
    )
    if existing is not None:
        raise AnswerError(
            f"The 'statement' field repeats statement {existing} of this deliberation: "
            "vote on it instead, or write something new."
        )
    row = Statement(
        deliberation_id=participant.deliberation_id,
        participant_id=participant.id,
        text=cleaned,
        fingerprint=key,
        status="pending",
    )
    session.add(row)
    session.flush()
    return int(row.id)


def submit_statement_vote(
    session: Session, participant: Participant, statement_id: Any, vote: Any
) -> int:
    """Agree (+1), disagree (−1) or pass (0) on an approved statement."""
    statement = session.get(Statement, statement_id) if isinstance(statement_id, int) else None
    if (
        statement is None
        or statement.deliberation_id != participant.deliberation_id
        or statement.status != "approved"
    ):
        raise AnswerError(
            "The 'statement_id' field must be the id of an approved statement of this "
            f"deliberation. Got {statement_id!r} instead."
        )
    if isinstance(vote, bool) or vote not in STATEMENT_VOTES:
        raise AnswerError(
            f"The 'vote' field must be 1 (agree), -1 (disagree) or 0 (pass). Got {vote!r} instead."
        )
    values = {"participant_id": participant.id, "statement_id": statement.id, "vote": int(vote)}
    return upsert(session, StatementVote, values, ("participant_id", "statement_id"))


def submit_ranking(
    session: Session, participant: Participant, prompt_id: Any, answer_ids: Any
) -> int:
    """The participant's order of a prompt's answers, best first (all of them, each once)."""
    prompt = session.get(Prompt, prompt_id) if isinstance(prompt_id, int) else None
    if prompt is None or prompt.deliberation_id != participant.deliberation_id:
        raise AnswerError(
            "The 'prompt_id' field must be the id of a prompt of this deliberation. "
            f"Got {prompt_id!r} instead."
        )
    expected = sorted(
        session.scalars(select(Answer.id).where(Answer.prompt_id == prompt.id)).all()
    )
    given = list(answer_ids) if isinstance(answer_ids, Sequence) else None
    if given is None or sorted(given) != expected or len(set(given)) != len(given):
        raise AnswerError(
            f"The 'answer_ids' field must order all answers of prompt {prompt.id}, each once: "
            f"a permutation of {expected}. Got {answer_ids!r} instead."
        )
    values = {
        "participant_id": participant.id,
        "prompt_id": prompt.id,
        "answer_ids": [int(a) for a in given],
    }
    return upsert(session, Ranking, values, ("participant_id", "prompt_id"))


def submit_svo(
    session: Session, participant: Participant, choices: Any, *, n_items: int, n_options: int
) -> list[int]:
    """SVO slider choices: ``{item: option}`` (items from 1) or a list for items 1, 2, …"""
    if isinstance(choices, Mapping):
        pairs = list(choices.items())
    elif isinstance(choices, Sequence) and not isinstance(choices, str):
        pairs = list(enumerate(choices, start=1))
    else:
        raise AnswerError(
            "The 'choices' field must map SVO items to option indices. "
            f"Got {type(choices).__name__} instead."
        )
    ids = []
    for item, option in pairs:
        bad_item = isinstance(item, bool) or not isinstance(item, int) or not 1 <= item <= n_items
        bad_option = (
            isinstance(option, bool) or not isinstance(option, int)
            or not 0 <= option < n_options
        )
        if bad_item or bad_option:
            raise AnswerError(
                f"The 'choices' field must map items 1..{n_items} to options 0..{n_options - 1}. "
                f"Got {item!r}: {option!r} instead."
            )
        values = {"participant_id": participant.id, "item": item, "choice": option}
        ids.append(upsert(session, SVOResponse, values, ("participant_id", "item")))
    return ids


def add_message(
    session: Session,
    participant: Participant,
    role: str,
    content: Any,
    *,
    model: str | None = None,
    prompt_version: str | None = None,
    limits: Limits = LIMITS,
) -> int:
    """One chat turn (the participant's, or the model's with its provenance)."""
    if role not in ("user", "assistant"):
        raise AnswerError(f"The 'role' field must be 'user' or 'assistant'. Got {role!r} instead.")
    text = clean_text(content, "message", limits.message)
    if role == "user":
        if participant.chat_turns >= limits.chat_turns:
            raise AnswerError(
                f"The chat is limited to {limits.chat_turns} turns: please go on to the next step."
            )
        if participant.chat_tokens + len(text) > limits.chat_characters:
            raise AnswerError(
                f"The chat is limited to {limits.chat_characters} characters in all: "
                "please go on to the next step."
            )
        participant.chat_turns += 1
        participant.chat_tokens += len(text)
    row = Message(
        participant_id=participant.id, role=role, content=text, model=model,
        prompt_version=prompt_version,
    )
    session.add(row)
    session.flush()
    return int(row.id)


def answer_survey(
    session: Session, participant: Participant, question: Any, answer: Any,
    *, limits: Limits = LIMITS,
) -> int:
    """A closing-survey answer (e.g. ``"card_still_mine"``, ``"fair_process"``)."""
    values = {
        "participant_id": participant.id,
        "question": clean_text(question, "question", 100),
        "answer": clean_text(answer, "answer", limits.survey_answer),
    }
    return upsert(session, SurveyAnswer, values, ("participant_id", "question"))


def vote_counts(session: Session, statement_ids: list[int]) -> dict[int, int]:
    """How many votes each statement has (for "fewest votes first")."""
    rows = session.execute(
        select(StatementVote.statement_id, func.count())
        .where(StatementVote.statement_id.in_(statement_ids))
        .group_by(StatementVote.statement_id)
    ).all()
    counts = dict.fromkeys(statement_ids, 0)
    counts.update({int(s): int(c) for s, c in rows})
    return counts
