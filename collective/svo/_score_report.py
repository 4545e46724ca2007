"""What ``collective svo score`` prints: the validation report, the summary, the groups and
their warnings — rendered from what :mod:`svo` returns."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from rich.text import Text

import svo

from .._console import simple_table, stdout
from .._output import records

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__: list[str] = []

_MAX_LISTED = 20  # incomplete ids / dropped problems shown in the table output


def _pct(x: float | None) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.0f}%"


def _deg(x: float | None) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.1f}°"


def _listed(values: Any, limit: int = _MAX_LISTED) -> str:
    values = [str(v) for v in values]
    more = f" … and {len(values) - limit} more" if len(values) > limit else ""
    return ", ".join(values[:limit]) + more


def _report_dict(report: Any) -> dict[str, Any]:
    return {
        "source": str(report.source),
        "rows": int(report.n_rows),
        "scorable": int(report.n_scorable),
        "complete": int(report.n_complete),
        "incomplete": list(report.incomplete),
        "dropped": records(report.to_frame()),
    }


def _print_report(report: Any) -> None:
    con = stdout()
    con.print(Text.assemble(("Survey: ", "bold"), f"{report.source} ({report.format} format)"))
    complete = (
        f"{report.n_complete} complete (all 15 items)"
        if report.n_items == svo.N_ITEMS
        else "primary items only"
    )
    con.print(
        f"{report.n_rows} data rows, {report.n_respondents} respondents: "
        f"{report.n_scorable} scorable (all six primary items), {complete}"
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
        t = simple_table(f"Dropped respondents ({report.n_dropped}; --errors coerce)")
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


def _print_summary(summary: svo.ScoreSummary) -> None:
    con = stdout()
    t = simple_table(
        f"SVO categories of the {summary.n} scored respondents",
        min_width=48,
    )
    t.add_column("category")
    t.add_column("n", justify="right")
    t.add_column("share", justify="right")
    for c, share in summary.shares.items():
        t.add_row(c, str(summary.counts[c]), _pct(share))
    con.print(t)
    sd = summary.angle_sd
    con.print(
        Text.assemble(
            ("Mean angle: ", "bold"),
            _deg(summary.angle_mean) + (f" (sd {sd:.1f}°)" if sd is not None else ""),
            ("   Transitive: ", "bold"),
            _pct(summary.transitive_share),
        )
    )


def _print_warnings(warnings: tuple[str, ...]) -> None:
    for warning in warnings:
        stdout().print(Text(f"Warning: {warning}", style="yellow"))


def _print_groups(table: pd.DataFrame, by: str, confidence: float) -> None:
    level = f"{100 * confidence:g}%"
    con = stdout()
    a = simple_table(
        f"By {by}: mean angle with {level} bootstrap interval, transitive share",
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
    t = simple_table(
        f"By {by}: category shares, % [{level} bootstrap interval]",
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
