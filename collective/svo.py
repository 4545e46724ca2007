"""``collective svo``: score Social Value Orientation surveys and evaluate language models.

Three commands over :mod:`svo` (the slider measure of Murphy, Ackermann & Handgraaf 2011):

- ``collective svo score SURVEY``: read and validate a survey file (:func:`svo.read_survey`),
  print the validation report and the category shares, mean angle and transitive share
  (per group with ``--by``, with bootstrap intervals from :func:`svo.compare`), write the
  scored table (``--out``) and the angle histogram / circle plot (``--plot``, ``--circle``);
- ``collective svo llm``: put the slider items to the chat model (:func:`lm.load_chat_model`;
  ``LM_BASE_URL`` switches to an OpenAI-compatible endpoint), with or without personas, and
  report the angle, category and the order bias per persona (:mod:`svo.llm`);
- ``collective svo items``: the fifteen items and their nine (self, other) allocations.

The helpers :func:`scored_frame`, :func:`summarize` and :func:`resolve_personas` are what the
commands print and write; the maths lives in :mod:`svo`.
"""

from __future__ import annotations

import enum
import json
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import numpy as np
import typer
from rich import box
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

import svo

from ._console import fail, stderr, stdout

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "PICTURE_SUFFIXES",
    "llm_notes",
    "resolve_personas",
    "scored_frame",
    "summarize",
    "svo_app",
]

#: File suffixes ``--plot`` and ``--circle`` can write (matplotlib picks the format from it).
PICTURE_SUFFIXES = (".png", ".svg", ".pdf")

_SCORE_COLUMNS = ("mean_self", "mean_other", "angle", "category", "transitive", "ia_index")
_ITEM_COLUMN = re.compile(r"^item\d+(_self|_other)?$")  # answers, not demographics
_MAX_LISTED = 20  # incomplete ids / dropped problems shown in the table output

svo_app = typer.Typer(
    name="svo",
    help="Social Value Orientation (SVO slider measure): score surveys, evaluate language models.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class TableFormat(enum.StrEnum):
    """How ``svo score`` and ``svo items`` print their answer."""

    table = "table"
    csv = "csv"
    json = "json"


class LLMFormat(enum.StrEnum):
    """How ``svo llm`` prints its answer."""

    table = "table"
    json = "json"


class Errors(enum.StrEnum):
    """What to do with an answer that is not on the form."""

    raise_ = "raise"
    coerce = "coerce"


class ItemSet(enum.StrEnum):
    """Which slider items the language model answers."""

    primary = "primary"
    all = "all"


class Decision(enum.StrEnum):
    """How the model's choice is read from its option log-probabilities."""

    argmax = "argmax"
    sample = "sample"


# --------------------------------------------------------------------------------------------
# helpers (also used by the tests)
# --------------------------------------------------------------------------------------------


def scored_frame(survey: pd.DataFrame, scored: pd.DataFrame) -> pd.DataFrame:
    """The scored table: respondent id, the survey's other columns, then the scores.

    Parameters
    ----------
    survey : pandas.DataFrame
        A validated survey (:func:`svo.read_survey`), indexed by respondent.
    scored : pandas.DataFrame
        :func:`svo.score` of it (same index, or a subset of it).

    Returns
    -------
    pandas.DataFrame
        Columns ``respondent`` (the index name of ``survey``), every non-item column of
        ``survey`` (demographics such as ``group``) in file order, then ``mean_self``,
        ``mean_other``, ``angle``, ``category``, ``transitive``, ``ia_index``. Respondents
        with a missing primary answer keep their row with empty scores.

    Examples
    --------
    >>> import pandas as pd, svo
    >>> survey = pd.DataFrame({"group": ["a", "b"], "item1": [0, 8], "item2": [8, 8],
    ...                        "item3": [0, 8], "item4": [0, 8], "item5": [8, 0],
    ...                        "item6": [8, 0]}, index=pd.Index(["r1", "r2"], name="respondent"))
    >>> table = scored_frame(survey, svo.score(survey))
    >>> list(table.columns)[:3], table["category"].tolist()
    (['respondent', 'group', 'mean_self'], ['altruistic', 'individualistic'])
    """
    demographics = [c for c in survey.columns if not _ITEM_COLUMN.match(str(c))]
    name = survey.index.name or "respondent"
    table = survey.loc[scored.index, demographics].join(scored.loc[:, list(_SCORE_COLUMNS)])
    table.index.name = name
    return table.reset_index()


def summarize(scored: pd.DataFrame) -> dict[str, Any]:
    """Category counts and shares, mean angle and transitive share of scored respondents.

    Respondents without an angle (a missing primary answer) are left out.

    Parameters
    ----------
    scored : pandas.DataFrame
        :func:`svo.score` output (columns ``angle``, ``category``, ``transitive``).

    Returns
    -------
    dict
        ``n`` (respondents with an angle), ``categories`` (category -> ``{"n", "share"}``, in
        the order of :data:`svo.CATEGORIES`), ``angle_mean``, ``angle_sd`` (degrees) and
        ``transitive_share``; the statistics are ``None`` when ``n`` is 0.

    References
    ----------
    Murphy, R. O., Ackermann, K. A., & Handgraaf, M. J. J. (2011). Measuring social value
    orientation. *Judgment and Decision Making*, 6(8), 771–781, §3 (categories, transitivity).

    Examples
    --------
    >>> import svo
    >>> s = summarize(svo.score([[0, 8, 8, 3, 4, 8], [0, 8, 8, 3, 4, 8], [8, 8, 8, 8, 0, 0]]))
    >>> s["n"], s["categories"]["prosocial"], round(s["angle_mean"], 2), s["transitive_share"]
    (3, {'n': 2, 'share': 0.6666666666666666}, 22.38, 1.0)
    """
    ok = scored[scored["angle"].notna()]
    n = len(ok)
    counts = ok["category"].astype(object).value_counts()
    categories = {
        c: {"n": int(counts.get(c, 0)), "share": float(counts.get(c, 0)) / n if n else None}
        for c in svo.CATEGORIES
    }
    angles = ok["angle"].to_numpy(dtype=float)
    return {
        "n": n,
        "categories": categories,
        "angle_mean": float(angles.mean()) if n else None,
        "angle_sd": float(angles.std(ddof=1)) if n > 1 else None,
        "transitive_share": float(ok["transitive"].astype(float).mean()) if n else None,
    }


def resolve_personas(
    names: list[str] | None, all_personas: bool = False
) -> list[tuple[str, str | None]]:
    """The personas ``svo llm`` evaluates, as ``(name, instruction)`` pairs.

    A name of :data:`svo.llm.PERSONAS` (matched ignoring case) stands for its instruction;
    any other text is itself the instruction (and its name). ``all_personas`` puts every
    entry of :data:`svo.llm.PERSONAS` first; repeated personas count once. Without names and
    without ``all_personas`` the model is evaluated once, without a persona (``"none"``).

    Raises
    ------
    svo.SVOError
        A name is empty.

    Examples
    --------
    >>> resolve_personas(None)
    [('none', None)]
    >>> [name for name, _ in resolve_personas(["Altruistic", "Be fair.", "altruistic"])]
    ['altruistic', 'Be fair.']
    >>> resolve_personas(["Be fair."])
    [('Be fair.', 'Be fair.')]
    """
    from svo.llm import PERSONAS

    known = {str(k).casefold(): k for k in PERSONAS}
    chosen: dict[str, str | None] = dict(PERSONAS) if all_personas else {}
    for name in names or []:
        text = name.strip()
        if not text:
            raise svo.SVOError(
                "Each --persona must be a persona name "
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


def _picture(path: Path | None, option: str) -> None:
    if path is not None and path.suffix.lower() not in PICTURE_SUFFIXES:
        fail(
            f"{option} must be a file name ending in {', '.join(PICTURE_SUFFIXES)} (the picture "
            f"format follows the suffix). Got {str(path)!r} instead.",
            code=2,
        )


def _save(figure: Any, path: Path) -> Path:
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, format=path.suffix.lower().lstrip("."), bbox_inches="tight")
    plt.close(figure)
    return path


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return json.loads(frame.to_json(orient="records"))


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _pct(x: float | None) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.0f}%"


def _deg(x: float | None) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.1f}°"


def _listed(values: Any, limit: int = _MAX_LISTED) -> str:
    values = [str(v) for v in values]
    more = f" … and {len(values) - limit} more" if len(values) > limit else ""
    return ", ".join(values[:limit]) + more


# --------------------------------------------------------------------------------------------
# svo score
# --------------------------------------------------------------------------------------------


def _report_dict(report: Any) -> dict[str, Any]:
    return {
        "source": str(report.source),
        "rows": int(report.n_rows),
        "scorable": int(report.n_scorable),
        "complete": int(report.n_complete),
        "incomplete": list(report.incomplete),
        "dropped": _records(report.to_frame()),
    }


def _print_report(report: Any) -> None:
    con = stdout()
    kind = getattr(report, "format", "wide")
    con.print(Text.assemble(("Survey: ", "bold"), f"{report.source} ({kind} format)"))
    n_items = getattr(report, "n_items", svo.N_ITEMS)
    complete = (
        f"{report.n_complete} complete (all 15 items)"
        if n_items == svo.N_ITEMS
        else "primary items only"
    )
    con.print(
        f"{report.n_rows} data rows, {getattr(report, 'n_respondents', report.n_rows)} "
        f"respondents: {report.n_scorable} scorable (all six primary items), {complete}"
    )
    if report.incomplete:
        con.print(
            Text(
                f"{len(report.incomplete)} incomplete (a primary answer missing; kept in the "
                f"scored table without scores): " + _listed(report.incomplete)
            )
        )
    dropped = report.to_frame()
    if len(dropped):
        n = getattr(report, "n_dropped", len(dropped))
        t = Table(
            title=f"Dropped respondents ({n}; --errors coerce)",
            box=box.SIMPLE_HEAD,
            pad_edge=False,
        )
        for col in ("respondent", "column", "value"):
            t.add_column(col)
        t.add_column("problem", ratio=1)
        for row in dropped.head(_MAX_LISTED).itertuples(index=False):
            t.add_row(
                Text(str(row.respondent)),
                Text(str(row.column)),
                Text(str(row.value)),
                Text(str(row.message)),
            )
        con.print(t)
        if len(dropped) > _MAX_LISTED:
            con.print(f"… and {len(dropped) - _MAX_LISTED} more problems (all in --format json).")


def _print_summary(summary: dict[str, Any]) -> None:
    con = stdout()
    t = Table(
        title=f"SVO categories of the {summary['n']} scored respondents",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        min_width=48,
    )
    t.add_column("category")
    t.add_column("n", justify="right")
    t.add_column("share", justify="right")
    for c, v in summary["categories"].items():
        t.add_row(c, str(v["n"]), _pct(v["share"]))
    con.print(t)
    sd = summary["angle_sd"]
    con.print(
        Text.assemble(
            ("Mean angle: ", "bold"),
            _deg(summary["angle_mean"]) + (f" (sd {sd:.1f}°)" if sd is not None else ""),
            ("   Transitive: ", "bold"),
            _pct(summary["transitive_share"]),
        )
    )


def _print_groups(table: pd.DataFrame, by: str, confidence: float) -> None:
    level = f"{100 * confidence:g}%"
    con = stdout()
    a = Table(
        title=f"By {by}: mean angle with {level} bootstrap interval, transitive share",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    a.add_column(by)
    a.add_column("n", justify="right")
    a.add_column("mean angle", justify="right")
    a.add_column(f"{level} interval", justify="right")
    a.add_column("transitive", justify="right")
    for group, row in table.iterrows():
        a.add_row(
            Text(str(group)),
            str(int(row["n"])),
            _deg(row["angle_mean"]),
            f"[{_deg(row['angle_low'])}, {_deg(row['angle_high'])}]",
            _pct(row["transitive_share"]),
        )
    con.print(a)
    t = Table(
        title=f"By {by}: category shares, % [{level} bootstrap interval]",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    t.add_column(by)
    for c in svo.CATEGORIES:
        t.add_column(c, justify="right", no_wrap=True)
    for group, row in table.iterrows():
        cells = [Text(str(group))]
        for c in svo.CATEGORIES:
            share, low, high = (row[f"share_{c}{x}"] for x in ("", "_low", "_high"))
            cells.append(f"{_num(share)} [{_num(low)}–{_num(high)}]")
        t.add_row(*cells)
    con.print(t)


def _num(x: float | None) -> str:
    return "—" if x is None or x != x else f"{100 * x:.0f}"


def _cli_words(message: str) -> str:
    """The library's advice in command-line terms (``errors='coerce'`` → ``--errors coerce``)."""
    for api, cli in (
        ("errors='coerce'", "--errors coerce"),
        ("option_base=1", "--option-base 1"),
        ("option_base=0", "--option-base 0"),
    ):
        message = message.replace(api, cli)
    return message


@svo_app.command("score")
def score_command(
    survey: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            metavar="SURVEY",
            help="Survey file (CSV, Excel or Parquet), wide (respondent, demographics, "
            "item1..item6 or ..item15) or long (respondent, item, choice).",
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            dir_okay=False,
            metavar="SCORED.csv",
            help="Write the scored table: respondent, the demographic columns, mean_self, "
            "mean_other, angle, category, transitive, ia_index.",
            show_default=False,
        ),
    ] = None,
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot",
            dir_okay=False,
            metavar="ANGLES.png",
            help="Write the angle histogram with the category bands (.png, .svg or .pdf).",
            show_default=False,
        ),
    ] = None,
    circle: Annotated[
        Path | None,
        typer.Option(
            "--circle",
            dir_okay=False,
            metavar="CIRCLE.png",
            help="Write the circle plot: mean self vs mean other with the ideal-type rays.",
            show_default=False,
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            metavar="COLUMN",
            help="Compare groups of this column (bootstrap confidence intervals); the plots "
            "are split by it too.",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        TableFormat,
        typer.Option(
            "--format",
            help="Rich tables; the scored table as CSV on stdout; or everything as JSON.",
        ),
    ] = TableFormat.table,
    errors: Annotated[
        Errors,
        typer.Option(
            "--errors",
            help="An answer not on the form (bad index, non-numeric cell): stop with an "
            "error naming row and column, or drop that respondent and report it.",
        ),
    ] = Errors.raise_,
    option_base: Annotated[
        int,
        typer.Option(
            "--option-base",
            min=0,
            max=1,
            help="Option numbering in the file: 0 (options 0-8) or 1 (options 1-9).",
        ),
    ] = 0,
    id_column: Annotated[
        str | None,
        typer.Option(
            "--id-column",
            metavar="COLUMN",
            help="Column of the respondent ids (default: respondent, respondent_id or id).",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the bootstrap (--by).")] = 0,
) -> None:
    """Validate and score the SVO slider survey in SURVEY (Murphy et al. 2011)."""
    _picture(plot, "--plot")
    _picture(circle, "--circle")
    try:
        frame = svo.read_survey(
            survey, id_column=id_column, option_base=option_base, errors=errors.value
        )
        if by is not None and by not in frame.columns:
            others = [c for c in frame.columns if not _ITEM_COLUMN.match(str(c))]
            raise svo.SurveyError(
                f"--by {by!r}: {survey.name} has no such column; its non-item columns are "
                f"{', '.join(repr(c) for c in others) or 'none'}."
            )
        scored = svo.score(frame, errors=errors.value)
        report = frame.attrs["report"]
        table = scored_frame(frame, scored)
        summary = summarize(scored)
        groups = None
        confidence = 0.95
        if by is not None:
            ok = scored["angle"].notna()
            data = scored.loc[ok].join(frame.loc[ok[ok].index, [by]])
            groups = svo.compare(data, by=by, confidence=confidence, rng=seed)
    except svo.SVOError as exc:
        fail(_cli_words(str(exc)), code=2)
    written: list[Path] = []
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(out, index=False)
        written.append(out)
    if plot is not None or circle is not None:
        if plot is not None:
            written.append(_save(svo.plot_angles(_with_by(scored, frame, by), by=by), plot))
        if circle is not None:
            written.append(_save(svo.plot_circle(_with_by(scored, frame, by), by=by), circle))

    if fmt is TableFormat.csv:
        stderr().print(report.summary(), markup=False, soft_wrap=True)
        typer.echo(table.to_csv(index=False), nl=False)
        return
    if fmt is TableFormat.json:
        result: dict[str, Any] = {
            "report": _report_dict(report),
            "summary": summary,
            "groups": None if groups is None else _records(groups.reset_index()),
            "by": by,
            "written": [str(p) for p in written],
            "respondents": _records(table),
        }
        typer.echo(json.dumps(result, indent=2, ensure_ascii=False, default=_json_default))
        return
    _print_report(report)
    _print_summary(summary)
    if groups is not None:
        _print_groups(groups, by, confidence)
    if written:
        stdout().print(Text("Wrote " + ", ".join(str(p) for p in written)))


def _with_by(scored: pd.DataFrame, frame: pd.DataFrame, by: str | None) -> pd.DataFrame:
    """``scored`` with the ``by`` column of ``frame`` joined on (for the plots)."""
    if by is None:
        return scored
    return scored.join(frame.loc[scored.index, [by]])


# --------------------------------------------------------------------------------------------
# svo items
# --------------------------------------------------------------------------------------------


@svo_app.command("items")
def items_command(
    fmt: Annotated[
        TableFormat,
        typer.Option(
            "--format", help="A rich table, a long CSV (item, kind, option, self, other) or JSON."
        ),
    ] = TableFormat.table,
    option_base: Annotated[
        int,
        typer.Option(
            "--option-base", min=0, max=1, help="Number the options from 0 (0-8) or 1 (1-9)."
        ),
    ] = 0,
) -> None:
    """Print the 15 SVO slider items and their nine (self, other) allocations."""
    long = svo.item_table()
    long["option"] = long["option"] + option_base
    if fmt is TableFormat.csv:
        typer.echo(long.to_csv(index=False), nl=False)
        return
    if fmt is TableFormat.json:
        items = [
            {
                "item": i + 1,
                "column": svo.ITEM_COLUMNS[i],
                "kind": "primary" if i < svo.N_PRIMARY else "secondary",
                "options": svo.ITEMS[i].tolist(),
            }
            for i in range(svo.N_ITEMS)
        ]
        typer.echo(
            json.dumps(
                {"option_base": option_base, "reference": svo.REFERENCE, "items": items},
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    t = Table(
        title="SVO slider items: (self, other) payoff of each option",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 0),
        show_edge=False,
        caption=svo.REFERENCE,
    )
    t.add_column("item", justify="right", no_wrap=True)
    t.add_column("kind", no_wrap=True)
    for j in range(svo.N_OPTIONS):
        t.add_column(str(j + option_base), justify="center", no_wrap=True)
    for i in range(svo.N_ITEMS):
        kind = "primary" if i < svo.N_PRIMARY else "secondary"
        t.add_row(str(i + 1), kind, *(f"{s},{o}" for s, o in svo.ITEMS[i].tolist()))
    stdout().print(t)


# --------------------------------------------------------------------------------------------
# svo llm
# --------------------------------------------------------------------------------------------

#: An angle interval wider than this (degrees) is reported as too wide to place the model.
WIDE_INTERVAL = 20.0
#: The order-bias test is reported as significant below this p-value.
ORDER_BIAS_ALPHA = 0.05


def llm_notes(result: Any) -> list[str]:
    """Plain warnings about one :class:`svo.llm.LLMEvaluation`, worded for the report.

    A note says when the model picks letters rather than allocations (the order-bias test is
    significant at :data:`ORDER_BIAS_ALPHA`), when the angle's interval is wider than
    :data:`WIDE_INTERVAL` degrees or straddles a category boundary, when a single sample
    gives no interval at all, and when there is no angle because answers were invalid.

    References
    ----------
    Zhang, Y. et al. (2023). Heterogeneous value alignment evaluation for large language
    models. arXiv:2305.17147, §3 (repeated runs averaged to an angle).

    Examples
    --------
    >>> from svo.llm import SimulatedRespondent, evaluate
    >>> llm_notes(evaluate(SimulatedRespondent("prosocial"), samples=3, rng=0))
    []
    >>> llm_notes(evaluate(SimulatedRespondent("first"), samples=3, rng=0))[0]
    'order bias: letter A in 100% of the answers (11% if unbiased, p = 3.5e-27)'
    """
    notes = []
    p = result.order_bias_pvalue
    if p == p and p < ORDER_BIAS_ALPHA:
        counts = np.asarray(result.position_counts)
        from svo.llm import LETTERS

        top = LETTERS[int(np.argmax(counts))]
        notes.append(
            f"order bias: letter {top} in {result.top_position_share:.0%} of the answers "
            f"(11% if unbiased, p = {p:.2g})"
        )
    low, high, angle = result.angle_low, result.angle_high, result.angle
    if angle != angle:
        notes.append(
            f"no angle: some primary item had no valid answer ({result.n_invalid} invalid)"
        )
    elif result.samples < 2:
        notes.append("one sample gives no interval (use --samples 10 or more)")
    elif low == low and high == high:
        crosses = len({str(c) for c in svo.categorize([low, high])}) > 1
        if high - low > WIDE_INTERVAL or crosses:
            notes.append(
                f"wide interval [{low:.1f}°, {high:.1f}°]"
                + (" across a category boundary" if crosses else "")
                + f" with {result.samples} samples"
            )
    return notes


def _print_llm(results: list[Any], m: int) -> None:
    con = stdout()
    first = results[0]
    t = Table(
        title=f"SVO of {first.model_id} ({first.samples} samples × {m} items, "
        f"{first.decision}; scoring: {first.method})",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        padding=(0, 1, 0, 0),
    )
    t.add_column("persona", ratio=1, min_width=15, overflow="fold")
    t.add_column(f"angle° [{first.confidence:.0%} CI]", justify="right", no_wrap=True)
    t.add_column("category", no_wrap=True)
    t.add_column("top pos.", justify="right", no_wrap=True)
    t.add_column("bias p", justify="right", no_wrap=True)
    t.add_column("invalid", justify="right", no_wrap=True)
    for r in results:
        angle = (
            "—" if r.angle != r.angle else f"{r.angle:.1f} [{r.angle_low:.1f}, {r.angle_high:.1f}]"
        )
        share = r.top_position_share
        t.add_row(
            Text(r.persona),
            angle,
            str(r.category or "—"),
            "—" if share != share else f"{share:.0%}",
            "—" if r.order_bias_pvalue != r.order_bias_pvalue else f"{r.order_bias_pvalue:.2g}",
            f"{r.n_invalid}/{len(r.choices)}",
        )
    con.print(t)
    con.print(
        Text(
            "top pos.: share of answers at the most chosen letter A–I (options are shuffled, "
            "so about 11% without position bias); bias p: chi-square test of the letters "
            "against uniform.",
            style="dim",
        )
    )
    biased = False
    for r in results:
        notes = llm_notes(r)
        biased = biased or any(n.startswith("order bias") for n in notes)
        if notes:
            con.print(Text(f"Note ({r.persona}): {'; '.join(notes)}.", style="yellow"))
    if biased:
        con.print(
            Text(
                "A model with order bias picks letters rather than allocations: its angle "
                "mostly reflects the random option order, not a social value orientation.",
                style="yellow",
            )
        )


@svo_app.command("llm")
def llm_command(
    persona: Annotated[
        list[str] | None,
        typer.Option(
            "--persona",
            metavar="NAME_OR_TEXT",
            help="A persona name (none, altruistic, prosocial, individualistic, competitive) "
            "or an instruction text; repeat for several. Default: no persona.",
            show_default=False,
        ),
    ] = None,
    all_personas: Annotated[
        bool, typer.Option("--all-personas", help="Evaluate every named persona.")
    ] = False,
    samples: Annotated[
        int,
        typer.Option(
            "--samples", min=1, max=10_000, help="Repetitions of the questionnaire per persona."
        ),
    ] = 10,
    items: Annotated[
        ItemSet, typer.Option("--items", help="The six primary items or all fifteen.")
    ] = ItemSet.primary,
    decision: Annotated[
        Decision,
        typer.Option(
            "--decision",
            help="Take the most likely option letter, or sample from the model's distribution.",
        ),
    ] = Decision.argmax,
    seed: Annotated[
        int, typer.Option("--seed", help="Seed of the option orders, sampling and bootstrap.")
    ] = 0,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            dir_okay=False,
            metavar="RESULTS.json",
            help="Write every persona's result (angles, choices, scores) as JSON.",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        LLMFormat, typer.Option("--format", help="Output as a rich table or as JSON.")
    ] = LLMFormat.table,
) -> None:
    """Measure the chat model's SVO with the slider items, per persona (Zhang et al. 2023).

    The local SmolLM2 by default; LM_BASE_URL (with LM_MODEL, LM_API_KEY) selects an
    OpenAI-compatible endpoint.
    """
    import lm
    from svo import llm as svo_llm

    try:
        personas = resolve_personas(persona, all_personas)
    except svo.SVOError as exc:
        fail(str(exc), code=2)
    m = svo.N_PRIMARY if items is ItemSet.primary else svo.N_ITEMS
    per = samples * m
    results = []
    try:
        with stderr().status("loading the chat model", spinner="dots"):
            chat = lm.load_chat_model()
    except lm.LMError as exc:
        fail(f"could not load the chat model: {exc}", code=2)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=stderr(),
        transient=True,
        disable=fmt is LLMFormat.json,
    ) as bar:
        task = bar.add_task("asking", total=per * len(personas))
        try:
            for i, (name, instruction) in enumerate(personas):
                bar.update(task, description=f"persona {name[:30]}")

                def progress(done: int, total: int, offset: int = i * per) -> None:
                    bar.update(task, completed=offset + done * per / max(total, 1))

                results.append(
                    svo_llm.evaluate(
                        chat,
                        name,
                        instruction=None if name in svo_llm.PERSONAS else instruction,
                        samples=samples,
                        items=items.value,
                        decision=decision.value,
                        rng=seed,
                        progress=progress,
                    )
                )
        except svo.SVOError as exc:
            fail(str(exc), code=2)
        except lm.LMError as exc:
            fail(str(exc))
    document = {
        "model_id": results[0].model_id,
        "samples": samples,
        "items": items.value,
        "decision": decision.value,
        "seed": seed,
        "notes": {r.persona: llm_notes(r) for r in results},
        "personas": [r.to_dict() for r in results],
    }
    text = json.dumps(document, indent=2, ensure_ascii=False, default=_json_default)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n", encoding="utf-8")
    if fmt is LLMFormat.json:
        typer.echo(text)
        return
    _print_llm(results, m)
    if out is not None:
        stdout().print(Text(f"Wrote {out}"))
