"""Creating a deliberation: its rows, its steps and its demographics form."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.orm import Session

from ._errors import AnswerError
from ._limits import LIMITS, Limits, clean_text, fingerprint
from ._records import STEPS
from ._schema import Answer, Context, Deliberation, Prompt, Statement

__all__ = ["DEFAULT_CONSENT", "demographic_features", "new_deliberation_rows", "ordered_steps"]

DEFAULT_CONSENT = (
    "This is a research deliberation about how an AI assistant should behave. Your answers "
    "(texts, choices and the order you saw things in) are stored without your name and used "
    "for research; texts written by an AI model are labelled as such. Please do not enter "
    "personal details (names, addresses, health information) in free text. You may stop at "
    "any time, and withdrawing deletes everything you wrote."
)


def ordered_steps(steps: Sequence[str] | None, has_form: bool) -> list[str]:
    """The enabled steps in :data:`STEPS` order, consent first and thanks last.

    >>> ordered_steps(["svo", "chat"], has_form=False)
    ['consent', 'chat', 'svo', 'thanks']
    """
    chosen = set(STEPS if steps is None else steps)
    unknown = sorted(chosen - set(STEPS))
    if unknown:
        raise AnswerError(f"The 'steps' field must name steps from {list(STEPS)}. Got {unknown}.")
    chosen |= {"consent", "thanks"}
    if not has_form:
        chosen.discard("demographics")
    return [s for s in STEPS if s in chosen]


def _form_field(spec: Any, position: int) -> dict[str, Any]:
    if not isinstance(spec, Mapping) or not isinstance(spec.get("name"), str) or not spec["name"]:
        raise AnswerError(
            f"Demographics field {position} must be a mapping with a 'name'. Got {spec!r}."
        )
    options = spec.get("options")
    if options is not None and (
        isinstance(options, str) or not isinstance(options, Sequence) or not options
    ):
        raise AnswerError(
            f"Demographics field {spec['name']!r}: 'options' must be a non-empty list. "
            f"Got {options!r}."
        )
    return {
        "name": spec["name"],
        "label": str(spec.get("label", spec["name"])),
        "options": None if options is None else [str(o) for o in options],
        "required": bool(spec.get("required", False)),
    }


def demographic_features(form: Sequence[Mapping[str, Any]], answers: Mapping[str, Any]) -> dict:
    """``answers`` checked against the form: known names, listed options, required ones given.

    A field with ``options`` takes one of them; a field without takes a short text.

    >>> form = [{"name": "region", "options": ["north", "south"], "required": True}]
    >>> demographic_features(form, {"region": "north"})
    {'region': 'north'}
    """
    if not isinstance(answers, Mapping):
        raise AnswerError(f"The 'features' field must be a mapping. Got {answers!r}.")
    fields = {f["name"]: f for f in form}
    unknown = sorted(set(answers) - set(fields))
    if unknown:
        raise AnswerError(
            f"The 'features' field names {unknown}, which the form does not ask "
            f"(it asks {sorted(fields)})."
        )
    cleaned: dict[str, Any] = {}
    for name, spec in fields.items():
        value = answers.get(name)
        if value is None or value == "":
            if spec.get("required"):
                raise AnswerError(f"The form field {name!r} is required.")
            continue
        if spec.get("options") is not None and value not in spec["options"]:
            raise AnswerError(
                f"The form field {name!r} must be one of {spec['options']}. Got {value!r} instead."
            )
        cleaned[name] = clean_text(value, name, 200) if isinstance(value, str) else value
    return cleaned


def _prompt_parts(prompt: Any, position: int) -> tuple[Any, Sequence[Any]]:
    if isinstance(prompt, str):
        return prompt, ()
    if isinstance(prompt, Mapping):
        return prompt.get("text"), prompt.get("answers", ())
    if isinstance(prompt, Sequence) and len(prompt) == 2:
        return prompt[0], prompt[1]
    raise AnswerError(
        f"Prompt {position} must be a text, (text, answers) or {{'text', 'answers'}}. "
        f"Got {prompt!r}."
    )


def new_deliberation_rows(
    session: Session,
    question: str,
    contexts: Sequence[Any],
    statements: Sequence[str],
    prompts: Sequence[Any],
    *,
    title: str | None,
    steps: Sequence[str] | None,
    consent_text: str | None,
    demographics: Sequence[Mapping[str, Any]],
    settings: Mapping[str, Any] | None,
    limits: Limits = LIMITS,
) -> Deliberation:
    """Add a deliberation with its contexts, statements, prompts and answers to ``session``."""
    form = [_form_field(spec, i) for i, spec in enumerate(demographics)]
    question = clean_text(question, "question", 2000)
    row = Deliberation(
        title=clean_text(title or question[:80], "title", 200),
        question=question,
        consent_text=clean_text(consent_text or DEFAULT_CONSENT, "consent_text", 20_000),
        consent_version=1,
        steps=ordered_steps(steps, bool(form)),
        demographics=form,
        settings=dict(settings or {}),
        is_open=True,
        data_version=0,
    )
    session.add(row)
    session.flush()
    seen: set[str] = set()
    for i, context in enumerate(contexts):
        key, text = (context, context) if isinstance(context, str) else tuple(context)
        key = clean_text(key, f"contexts[{i}]", 200)
        if key in seen:
            raise AnswerError(f"The 'contexts' field repeats the context {key!r}.")
        seen.add(key)
        session.add(Context(deliberation_id=row.id, key=key, text=clean_text(text, "text", 2000)))
    prints: set[str] = set()
    for i, text in enumerate(statements):
        text = clean_text(text, f"statements[{i}]", limits.statement)
        if fingerprint(text) in prints:
            raise AnswerError(f"The 'statements' field repeats {text!r} (statement {i}).")
        prints.add(fingerprint(text))
        session.add(Statement(
            deliberation_id=row.id, text=text, fingerprint=fingerprint(text), status="approved"
        ))
    for i, prompt in enumerate(prompts):
        text, answers = _prompt_parts(prompt, i)
        prompt_row = Prompt(deliberation_id=row.id, text=clean_text(text, f"prompts[{i}]", 4000))
        session.add(prompt_row)
        session.flush()
        for j, answer in enumerate(answers):
            model = None
            if isinstance(answer, Mapping):
                answer, model = answer.get("text"), answer.get("model")
            session.add(Answer(
                prompt_id=prompt_row.id,
                text=clean_text(answer, f"prompts[{i}].answers[{j}]", 8000),
                model=model,
            ))
    session.flush()
    return row
