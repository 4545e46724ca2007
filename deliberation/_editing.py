"""What the admin changes: a deliberation's settings, statements, prompts and participants.

Each function works inside the write transaction :class:`~deliberation.Store` opened (after
the admin page checked the admin token) and validates what it writes as creating a
deliberation does (:mod:`deliberation._setup`). :func:`draft_answers` asks a chat model for
candidate answers to a prompt (the admin reviews them before they are stored).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from _common.validation import check_int

from ._errors import AnswerError
from ._limits import LIMITS, Limits, clean_text, fingerprint
from ._schema import Answer, Context, Deliberation, Participant, Prompt, Statement, WiserVoteRow
from ._setup import _form_field, ordered_steps

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "add_prompt",
    "add_statements",
    "delete_participant",
    "draft_answers",
    "parse_contexts",
    "parse_form",
    "parse_lines",
    "split_answers",
    "statements_table",
    "update_deliberation",
]

#: The system prompt of :func:`draft_answers` (its provenance is stored with each answer).
ANSWER_SYSTEM = "You are a helpful assistant. Answer the user's message in a short paragraph."


def update_deliberation(
    session: Session,
    row: Deliberation,
    changes: Mapping[str, Any],
    *,
    limits: Limits = LIMITS,
) -> None:
    """Apply the admin's ``changes`` (see :meth:`deliberation.Store.update_deliberation`)."""
    known = {"title", "question", "contexts", "steps", "demographics", "consent_text",
             "settings"}
    unknown = sorted(set(changes) - known)
    if unknown:
        raise AnswerError(f"Cannot change {unknown}: the fields that change are {sorted(known)}.")
    if changes.get("question") is not None:
        row.question = clean_text(changes["question"], "question", 2000)
    if changes.get("title") is not None:
        row.title = clean_text(changes["title"], "title", 200)
    if changes.get("consent_text") is not None:
        text = clean_text(changes["consent_text"], "consent_text", 20_000)
        if text != row.consent_text:
            row.consent_text = text
            row.consent_version = row.consent_version + 1
    if changes.get("demographics") is not None:
        row.demographics = [_form_field(spec, i) for i, spec in enumerate(changes["demographics"])]
    steps = changes.get("steps")
    row.steps = ordered_steps(row.steps if steps is None else steps, bool(row.demographics))
    settings = changes.get("settings")
    if settings is not None:
        if not isinstance(settings, Mapping):
            raise AnswerError(f"The 'settings' field must be a mapping. Got {settings!r}.")
        row.settings = {**(row.settings or {}), **settings}
    if changes.get("contexts") is not None:
        _replace_contexts(session, row.id, changes["contexts"])


def _replace_contexts(session: Session, deliberation_id: int, contexts: Sequence[Any]) -> None:
    """Contexts by key: kept ones get the new text, new ones are added, dropped ones deleted.

    A context that wiser votes were cast in cannot be dropped (the votes would be lost).
    """
    wanted: dict[str, str] = {}
    for i, context in enumerate(contexts):
        key, text = (context, context) if isinstance(context, str) else tuple(context)
        key = clean_text(key, f"contexts[{i}]", 200)
        if key in wanted:
            raise AnswerError(f"The 'contexts' field repeats the context {key!r}.")
        wanted[key] = clean_text(text, "text", 2000)
    rows = {c.key: c for c in session.scalars(
        select(Context).where(Context.deliberation_id == deliberation_id)
    )}
    for key, row in rows.items():
        if key in wanted:
            row.text = wanted[key]
            continue
        votes = session.scalar(
            select(func.count()).select_from(WiserVoteRow).where(WiserVoteRow.context_id == row.id)
        )
        if votes:
            raise AnswerError(
                f"The context {key!r} has {votes} wiser votes: it cannot be removed "
                "(export the deliberation first, or keep the context)."
            )
        session.delete(row)
    for key, text in wanted.items():
        if key not in rows:
            session.add(Context(deliberation_id=deliberation_id, key=key, text=text))


def add_statements(
    session: Session, deliberation_id: int, texts: Sequence[str], *, limits: Limits = LIMITS
) -> list[int]:
    """Approved statements written by the admin; a duplicate of any statement is refused."""
    known = set(session.scalars(
        select(Statement.fingerprint).where(Statement.deliberation_id == deliberation_id)
    ))
    rows = []
    for i, text in enumerate(texts):
        text = clean_text(text, f"statements[{i}]", limits.statement)
        key = fingerprint(text)
        if key in known:
            raise AnswerError(f"The statement {text!r} repeats one this deliberation has.")
        known.add(key)
        rows.append(Statement(deliberation_id=deliberation_id, text=text, fingerprint=key,
                              status="approved"))
    session.add_all(rows)
    session.flush()
    return [int(r.id) for r in rows]


def add_prompt(
    session: Session, deliberation_id: int, text: str, answers: Sequence[Any],
) -> int:
    """A prompt with its answers (texts, or ``{"text", "model"}`` for generated ones)."""
    if isinstance(answers, str) or not isinstance(answers, Sequence) or len(answers) < 2:
        raise AnswerError(
            "The 'answers' field must list at least 2 answers to rank. "
            f"Got {answers!r} instead."
        )
    prompt = Prompt(deliberation_id=deliberation_id, text=clean_text(text, "prompt", 4000))
    session.add(prompt)
    session.flush()
    for j, answer in enumerate(answers):
        model = None
        if isinstance(answer, Mapping):
            answer, model = answer.get("text"), answer.get("model")
        session.add(Answer(prompt_id=prompt.id, text=clean_text(answer, f"answers[{j}]", 8000),
                           model=model))
    return int(prompt.id)


def statements_table(session: Session, deliberation_id: int, status: str | None) -> pd.DataFrame:
    """The deliberation's statements (``id, text, status, participant_id, created_at``)."""
    import pandas as pd

    query = select(Statement.id, Statement.text, Statement.status, Statement.participant_id,
                   Statement.created_at).where(Statement.deliberation_id == deliberation_id)
    if status is not None:
        query = query.where(Statement.status == status)
    rows = session.execute(query.order_by(Statement.id)).all()
    return pd.DataFrame(rows, columns=["id", "text", "status", "participant_id", "created_at"])


def delete_participant(session: Session, deliberation_id: int, participant_id: Any) -> None:
    """Delete one participant of the deliberation and everything they wrote."""
    row = session.get(Participant, participant_id) if isinstance(participant_id, int) else None
    if row is None or row.deliberation_id != deliberation_id:
        raise AnswerError(
            f"The 'participant_id' field must be the id of a participant of deliberation "
            f"{deliberation_id}. Got {participant_id!r} instead."
        )
    session.execute(delete(Participant).where(Participant.id == row.id))


def draft_answers(
    model: Any, prompt: str, n: int = 3, *, max_new_tokens: int = 160, seed: int = 0
) -> list[str]:
    """``n`` different answers of ``model`` to ``prompt`` (sampled, seeds ``seed + i``).

    ``model`` is a chat model (:func:`lm.load_chat_model`) with ``generate_batch``.

    Examples
    --------
    >>> class Echo:
    ...     def generate_batch(self, conversations, max_new_tokens, temperature, seed):
    ...         return [f"answer {seed + i}" for i in range(len(conversations))]
    >>> draft_answers(Echo(), "Should I move abroad?", 2)
    ['answer 0', 'answer 1']
    """
    n = check_int(n, "n", "draft_answers", 2, 6, error=AnswerError)
    messages = [{"role": "system", "content": ANSWER_SYSTEM}, {"role": "user", "content": prompt}]
    replies = model.generate_batch([messages] * n, max_new_tokens=max_new_tokens,
                                   temperature=0.8, seed=seed)
    return [str(r).strip() for r in replies]


def parse_lines(text: str) -> list[str]:
    """The non-empty lines of ``text``, stripped.

    >>> parse_lines(" a \\n\\n b ")
    ['a', 'b']
    """
    return [line.strip() for line in str(text).splitlines() if line.strip()]


def parse_contexts(text: str) -> list[tuple[str, str]]:
    """Contexts typed one per line as ``key: text`` (or only the text, which is the key).

    >>> parse_contexts("distress: When the user is in distress\\nfacts")
    [('distress', 'When the user is in distress'), ('facts', 'facts')]
    """
    pairs = []
    for line in parse_lines(text):
        key, sep, rest = line.partition(":")
        pairs.append((key.strip(), rest.strip()) if sep and rest.strip() else (line, line))
    return pairs


def parse_form(text: str) -> list[dict[str, Any]]:
    """A demographics form typed one field per line: ``name: option, option`` (no options:
    a short free text; a trailing ``*`` on the name makes it required).

    >>> parse_form("age*: 18-34, 35+\\ncountry")
    [{'name': 'age', 'options': ['18-34', '35+'], 'required': True}, \
{'name': 'country', 'options': None, 'required': False}]
    """
    fields = []
    for line in parse_lines(text):
        name, _, options = line.partition(":")
        name = name.strip()
        required = name.endswith("*")
        choices = [o.strip() for o in options.split(",") if o.strip()]
        fields.append({"name": name.rstrip("*").strip(), "options": choices or None,
                       "required": required})
    return fields


def split_answers(text: str) -> list[str]:
    """Answers typed in one box, separated by lines holding only ``---``.

    >>> split_answers("First answer.\\n---\\nSecond,\\non two lines.")
    ['First answer.', 'Second,\\non two lines.']
    """
    parts, current = [], []
    for line in str(text).splitlines():
        if line.strip() == "---":
            parts.append("\n".join(current).strip())
            current = []
        else:
            current.append(line)
    parts.append("\n".join(current).strip())
    return [p for p in parts if p]
