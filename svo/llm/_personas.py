"""Personas for the front ends: :func:`resolve_personas` and :func:`persona_table`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .._errors import SVOError
from .._items import CATEGORIES
from .._score import categorize
from .._tables import summarize
from ._prompts import PERSONAS


def resolve_personas(
    names: Iterable[str] | None, all_personas: bool = False
) -> list[tuple[str, str | None]]:
    """The personas to evaluate, as ``(name, instruction)`` pairs, from names or texts.

    A name of :data:`PERSONAS` (matched ignoring case and surrounding spaces) stands for its
    instruction; any other text is itself the instruction (and its name). ``all_personas``
    puts every entry of :data:`PERSONAS` first; repeated personas count once. Without names
    and without ``all_personas`` the model is evaluated once, without a persona (``"none"``).
    ``dict(resolve_personas(...))`` is a valid ``personas`` argument of
    :func:`evaluate_personas` and :func:`evaluate_each`.

    Parameters
    ----------
    names : iterable of str, optional
        Persona names or instruction texts, e.g. as typed on a command line.
    all_personas : bool
        Whether to evaluate every named persona (before ``names``).

    Returns
    -------
    list of (str, str or None)
        Name and system instruction (``None``: no system message), in order.

    Raises
    ------
    SVOError
        A name is empty or only spaces.

    Examples
    --------
    >>> resolve_personas(None)
    [('none', None)]
    >>> [name for name, _ in resolve_personas(["Altruistic", "Be fair.", "altruistic"])]
    ['altruistic', 'Be fair.']
    >>> resolve_personas(["Be fair."])
    [('Be fair.', 'Be fair.')]
    """
    known = {str(k).casefold(): k for k in PERSONAS}
    chosen: dict[str, str | None] = dict(PERSONAS) if all_personas else {}
    for name in names or []:
        text = str(name).strip()
        if not text:
            raise SVOError(
                "Each persona must be a persona name "
                f"({', '.join(PERSONAS)}) or an instruction text. Got {name!r} instead."
            )
        key = known.get(text.casefold())
        if key is not None:
            chosen[key] = PERSONAS[key]
        else:
            chosen.setdefault(text, text)
    if not chosen:
        chosen["none"] = PERSONAS.get("none")
    return list(chosen.items())


def persona_table(personas: Any, scored: Any = None) -> Any:
    """The model's angle and category shares per persona, below the survey's, for display.

    Parameters
    ----------
    personas : pandas.DataFrame
        :func:`evaluate_personas`'s table.
    scored : pandas.DataFrame, optional
        A survey's :func:`svo.score`; then the first row, ``survey``, has the respondents'
        mean angle, its category and their category shares.

    Returns
    -------
    pandas.DataFrame
        Columns ``persona``, ``angle`` (degrees, 1 decimal), ``interval`` (the persona's
        bootstrap interval as text, ``""`` for the survey or without interval), ``category``,
        one column per category of :data:`svo.CATEGORIES` (share of samples or respondents,
        3 decimals), ``first position`` (share of a persona's answers at its most chosen
        letter, 3 decimals) and ``p`` (the test of position bias); NaN where a value does
        not apply.

    Examples
    --------
    >>> import svo
    >>> from svo.llm import SimulatedRespondent, evaluate_personas
    >>> model = evaluate_personas(SimulatedRespondent("prosocial"), ["none"], samples=2, rng=0)
    >>> table = persona_table(model, svo.score([[8, 8, 8, 8, 0, 0]]))
    >>> table[["persona", "angle", "category", "prosocial"]].values.tolist()
    [['survey', -7.8, 'individualistic', 0.0], ['none', 37.5, 'prosocial', 1.0]]
    >>> persona_table(model)["interval"].tolist()
    ['37.5 to 37.5']
    """
    import pandas as pd

    rows = [] if scored is None else [_survey_row(scored)]
    for row in personas.itertuples(index=False):
        low, high = row.angle_low, row.angle_high
        rows.append(
            {
                "persona": str(row.persona),
                "angle": round(float(row.angle), 1),
                "interval": "" if pd.isna(low) or pd.isna(high) else f"{low:.1f} to {high:.1f}",
                "category": row.category,
                **{c: round(float(getattr(row, f"share_{c}")), 3) for c in CATEGORIES},
                "first position": round(float(row.top_position_share), 3),
                "p": float(row.order_bias_pvalue),
            }
        )
    columns = ["persona", "angle", "interval", "category", *CATEGORIES, "first position", "p"]
    return pd.DataFrame(rows, columns=columns)


def _survey_row(scored: Any) -> dict[str, Any]:
    """The survey's row of :func:`persona_table`: mean angle, its category, the shares."""
    summary = summarize(scored)
    nan = float("nan")
    mean = nan if summary.angle_mean is None else summary.angle_mean
    return {
        "persona": "survey",
        "angle": round(mean, 1),
        "interval": "",
        "category": categorize([mean])[0],
        **{c: nan if v is None else round(v, 3) for c, v in summary.shares.items()},
        "first position": nan,
        "p": nan,
    }
