"""The database tables of the deliberation app (SQLAlchemy 2 declarative models).

One row per thing a participant or an admin created. Unique constraints carry the rule
"a repeated answer replaces the earlier one": one wiser vote per participant and ordered
pair of cards, one vote per participant and statement, one ranking per participant and
prompt, one SVO choice per participant and item. Every child row is deleted with its
participant (withdrawal) or its deliberation. The schema is created and upgraded by the
Alembic migrations in ``deliberation/migrations`` (applied when a :class:`~deliberation.Store`
opens a database); ``tests/deliberation/test_migrations.py`` checks that the migrations
produce exactly these tables.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "Adoption",
    "Answer",
    "Base",
    "Context",
    "Deliberation",
    "Draw",
    "Exposure",
    "Message",
    "Participant",
    "Prompt",
    "Ranking",
    "SVOResponse",
    "Statement",
    "StatementVote",
    "StepCompletion",
    "SurveyAnswer",
    "ValueCardRow",
    "WiserVoteRow",
]

# Constraint names fixed by convention, so migrations can refer to them on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


def _created() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)


def _parent(table: str, *, nullable: bool = False, ondelete: str = "CASCADE") -> Any:
    return mapped_column(
        ForeignKey(f"{table}.id", ondelete=ondelete), nullable=nullable, index=True
    )


class Deliberation(Base):
    __tablename__ = "deliberations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    question: Mapped[str] = mapped_column(Text)
    consent_text: Mapped[str] = mapped_column(Text)
    consent_version: Mapped[int] = mapped_column(Integer, default=1)
    steps: Mapped[list[Any]] = mapped_column(JSON)
    demographics: Mapped[list[Any]] = mapped_column(JSON)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    data_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = _created()


class Context(Base):
    __tablename__ = "contexts"
    __table_args__ = (UniqueConstraint("deliberation_id", "key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deliberation_id: Mapped[int] = _parent("deliberations")
    key: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)


class Participant(Base):
    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("deliberation_id", "xid"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deliberation_id: Mapped[int] = _parent("deliberations")
    token: Mapped[str] = mapped_column(String(64), unique=True)
    xid: Mapped[str | None] = mapped_column(String(200), nullable=True)
    features: Mapped[dict[str, Any]] = mapped_column(JSON)
    consent_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    consented_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    window_start: Mapped[float] = mapped_column(Float, default=0.0)
    window_writes: Mapped[int] = mapped_column(Integer, default=0)
    chat_turns: Mapped[int] = mapped_column(Integer, default=0)
    chat_tokens: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = _created()


class StepCompletion(Base):
    __tablename__ = "step_completions"
    __table_args__ = (UniqueConstraint("participant_id", "step"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = _parent("participants")
    step: Mapped[str] = mapped_column(String(40))
    skipped: Mapped[bool] = mapped_column(Boolean, default=False)
    completed_at: Mapped[datetime] = _created()


class Message(Base):
    __tablename__ = "messages"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = _parent("participants")
    role: Mapped[str] = mapped_column(String(20))
    content: Mapped[str] = mapped_column(Text)
    model: Mapped[str | None] = mapped_column(String(200), nullable=True)
    prompt_version: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = _created()


class ValueCardRow(Base):
    __tablename__ = "value_cards"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deliberation_id: Mapped[int] = _parent("deliberations")
    participant_id: Mapped[int | None] = _parent("participants", nullable=True)
    context_id: Mapped[int | None] = _parent("contexts", nullable=True, ondelete="SET NULL")
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    policies: Mapped[list[Any]] = mapped_column(JSON)
    model: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = _created()


class Adoption(Base):
    """A participant holds a card: their own, or one they adopted instead of duplicating it."""

    __tablename__ = "adoptions"
    __table_args__ = (UniqueConstraint("participant_id", "card_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = _parent("participants")
    card_id: Mapped[int] = _parent("value_cards")
    created_at: Mapped[datetime] = _created()


class WiserVoteRow(Base):
    __tablename__ = "wiser_votes"
    __table_args__ = (UniqueConstraint("participant_id", "from_card_id", "to_card_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = _parent("participants")
    from_card_id: Mapped[int] = _parent("value_cards")
    to_card_id: Mapped[int] = _parent("value_cards")
    context_id: Mapped[int] = _parent("contexts")
    verdict: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = _created()


class Statement(Base):
    __tablename__ = "statements"
    __table_args__ = (UniqueConstraint("deliberation_id", "fingerprint"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deliberation_id: Mapped[int] = _parent("deliberations")
    participant_id: Mapped[int | None] = _parent("participants", nullable=True)
    text: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = _created()


class StatementVote(Base):
    __tablename__ = "statement_votes"
    __table_args__ = (UniqueConstraint("participant_id", "statement_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = _parent("participants")
    statement_id: Mapped[int] = _parent("statements")
    vote: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = _created()


class Prompt(Base):
    __tablename__ = "prompts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    deliberation_id: Mapped[int] = _parent("deliberations")
    text: Mapped[str] = mapped_column(Text)


class Answer(Base):
    __tablename__ = "answers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prompt_id: Mapped[int] = _parent("prompts")
    text: Mapped[str] = mapped_column(Text)
    model: Mapped[str | None] = mapped_column(String(200), nullable=True)


class Ranking(Base):
    __tablename__ = "rankings"
    __table_args__ = (UniqueConstraint("participant_id", "prompt_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = _parent("participants")
    prompt_id: Mapped[int] = _parent("prompts")
    answer_ids: Mapped[list[Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = _created()


class SVOResponse(Base):
    __tablename__ = "svo_responses"
    __table_args__ = (UniqueConstraint("participant_id", "item"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = _parent("participants")
    item: Mapped[int] = mapped_column(Integer)
    choice: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = _created()


class SurveyAnswer(Base):
    """Closing questions: "is this card still yours after merging?", "was the process fair?"."""

    __tablename__ = "survey_answers"
    __table_args__ = (UniqueConstraint("participant_id", "question"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = _parent("participants")
    question: Mapped[str] = mapped_column(String(100))
    answer: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = _created()


class Draw(Base):
    """The items drawn for a participant's current screen, so a reload shows the same draw."""

    __tablename__ = "draws"
    __table_args__ = (UniqueConstraint("participant_id", "kind"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = _parent("participants")
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[list[Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = _created()


class Exposure(Base):
    """What a participant was shown, in order (the exposure log)."""

    __tablename__ = "exposures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = _parent("participants")
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = _created()
