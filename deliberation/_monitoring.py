"""Monitoring a running deliberation: the step funnel, time per step, demographics vs quotas.

Everything here reads. :func:`monitoring` turns the participants' step completions and
features into tables a researcher watches while a deliberation runs: how many reached and
finished each step, the median time each step took, where people stop, and how the
demographics collected so far compare with the admin's target quotas (stored in the
deliberation's ``settings["quotas"]``, see :func:`check_quotas`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ._errors import AnswerError
from ._exchange import NOT_GIVEN
from ._schema import Deliberation, Participant, StepCompletion

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FUNNEL_COLUMNS", "QUOTA_COLUMNS", "Monitoring", "check_quotas", "monitoring"]

#: Columns of :attr:`Monitoring.funnel`.
FUNNEL_COLUMNS = ("step", "started", "finished", "skipped", "stopped_here", "drop_off",
                  "median_seconds")
#: Columns of :attr:`Monitoring.demographics`.
QUOTA_COLUMNS = ("field", "value", "count", "share", "target", "reached")


@dataclass(frozen=True)
class Monitoring:
    """Where the participants of a deliberation stand.

    Attributes
    ----------
    participants : int
        Everyone who joined.
    finished : int
        Those who completed every step before "thanks".
    funnel : pandas.DataFrame
        One row per step before "thanks", in order (:data:`FUNNEL_COLUMNS`): ``started``
        (reached the step: completed the one before, or joined for the first), ``finished``
        (completed or skipped it), ``skipped``, ``stopped_here`` (the step is their next
        one), ``drop_off`` (``stopped_here / started``, NaN when nobody started) and
        ``median_seconds`` (from finishing the previous step, or joining, to finishing this
        one; NaN when nobody finished).
    demographics : pandas.DataFrame
        One row per form field and value (:data:`QUOTA_COLUMNS`): ``count`` and ``share`` of
        the participants, the admin's ``target`` count (NaN without a quota) and
        ``reached`` (``count >= target``; NaN without a quota). A field's participants who
        left it empty count under ``"not given"``.
    """

    participants: int
    finished: int
    funnel: pd.DataFrame
    demographics: pd.DataFrame


def check_quotas(form: Sequence[Mapping[str, Any]], quotas: Any) -> dict[str, dict[str, int]]:
    """``quotas`` checked against the demographics form: ``{field: {value: target count}}``.

    A field must be on the form; a value must be one of the field's options when it has
    options; a target is a whole number of participants, at least 0.

    Examples
    --------
    >>> form = [{"name": "age", "options": ["18-34", "35+"]}]
    >>> check_quotas(form, {"age": {"18-34": 50, "35+": 50}})
    {'age': {'18-34': 50, '35+': 50}}
    >>> check_quotas(form, {"region": {"north": 5}})
    Traceback (most recent call last):
    ...
    deliberation._errors.AnswerError: The 'quotas' field names 'region', which is not a \
field of the demographics form (its fields: ['age']).
    """
    fields = {f["name"]: f for f in form}
    if not isinstance(quotas, Mapping):
        raise AnswerError(f"The 'quotas' field must map form fields to targets. Got {quotas!r}.")
    checked: dict[str, dict[str, int]] = {}
    for name, targets in quotas.items():
        if name not in fields:
            raise AnswerError(
                f"The 'quotas' field names {name!r}, which is not a field of the demographics "
                f"form (its fields: {sorted(fields)})."
            )
        if not isinstance(targets, Mapping):
            raise AnswerError(
                f"The quotas of {name!r} must map values to target counts. Got {targets!r}."
            )
        options = fields[name].get("options")
        checked[name] = {}
        for value, target in targets.items():
            if options is not None and value not in options:
                raise AnswerError(
                    f"The quota value {value!r} of {name!r} must be one of {options}."
                )
            if isinstance(target, bool) or not isinstance(target, int) or target < 0:
                raise AnswerError(
                    f"The quota target of {name!r} = {value!r} must be a whole number of "
                    f"participants, at least 0. Got {target!r} instead."
                )
            checked[name][str(value)] = int(target)
    return checked


def monitoring(session: Session, deliberation_id: int) -> Monitoring:
    """The :class:`Monitoring` tables of the deliberation (read in one transaction)."""
    import pandas as pd

    deliberation = session.get(Deliberation, deliberation_id)
    people = pd.DataFrame(
        session.execute(
            select(Participant.id, Participant.created_at, Participant.features)
            .where(Participant.deliberation_id == deliberation_id)
        ).all(),
        columns=["participant_id", "created_at", "features"],
    )
    done = pd.DataFrame(
        session.execute(
            select(StepCompletion.participant_id, StepCompletion.step, StepCompletion.skipped,
                   StepCompletion.completed_at)
            .join(Participant, Participant.id == StepCompletion.participant_id)
            .where(Participant.deliberation_id == deliberation_id)
        ).all(),
        columns=["participant_id", "step", "skipped", "completed_at"],
    )
    steps = [s for s in deliberation.steps if s != "thanks"]
    funnel, finished = _funnel(people, done, steps)
    quotas = dict((deliberation.settings or {}).get("quotas", {}))
    return Monitoring(
        participants=len(people), finished=finished, funnel=funnel,
        demographics=_demographics(people, deliberation.demographics, quotas),
    )


def _seconds(later: Any, earlier: Any) -> Any:
    import pandas as pd

    return (pd.to_datetime(later, utc=True) - pd.to_datetime(earlier, utc=True)).dt.total_seconds()


def _funnel(people: Any, done: Any, steps: list[str]) -> tuple[Any, int]:
    import numpy as np
    import pandas as pd

    ids = people["participant_id"]
    at = done.pivot_table(index="participant_id", columns="step", values="completed_at",
                          aggfunc="first") if len(done) else pd.DataFrame(index=ids)
    at = at.reindex(index=ids, columns=steps)
    skipped = done[done["skipped"].astype(bool)].groupby("step")["participant_id"].nunique()
    completed = at.notna()
    # a participant's next step is the first one they have not completed
    next_step = np.where(completed.all(axis=1), len(steps), completed.to_numpy().argmin(axis=1))
    previous = pd.Series(pd.to_datetime(people["created_at"], utc=True).to_numpy(), index=ids)
    rows = []
    for i, step in enumerate(steps):
        started = int(completed[steps[i - 1]].sum()) if i else len(ids)
        finished = int(completed[step].sum())
        stopped = int((next_step == i).sum())
        this = pd.Series(pd.to_datetime(at[step], utc=True).to_numpy(), index=ids)
        took = _seconds(this, previous).dropna()
        rows.append({
            "step": step, "started": started, "finished": finished,
            "skipped": int(skipped.get(step, 0)), "stopped_here": stopped,
            "drop_off": stopped / started if started else float("nan"),
            "median_seconds": float(took.median()) if len(took) else float("nan"),
        })
        previous = this
    funnel = pd.DataFrame(rows, columns=list(FUNNEL_COLUMNS))
    return funnel, int((next_step == len(steps)).sum())


def _demographics(people: Any, form: Sequence[Mapping[str, Any]], quotas: Mapping) -> Any:
    import pandas as pd

    rows = []
    total = len(people)
    for spec in form:
        name = spec["name"]
        values = [
            str((f or {}).get(name, NOT_GIVEN)) for f in people["features"]
        ]
        counts = pd.Series(values, dtype=object).value_counts()
        targets = {str(k): v for k, v in quotas.get(name, {}).items()}
        order = list(spec.get("options") or []) + sorted(
            v for v in {*counts.index, *targets} if v not in (spec.get("options") or [])
        )
        for value in dict.fromkeys(order):
            count = int(counts.get(value, 0))
            target = targets.get(value)
            rows.append({
                "field": name, "value": value, "count": count,
                "share": count / total if total else float("nan"),
                "target": float("nan") if target is None else float(target),
                "reached": None if target is None else bool(count >= target),
            })
    return pd.DataFrame(rows, columns=list(QUOTA_COLUMNS))
