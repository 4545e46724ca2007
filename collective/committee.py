"""``collective committee FILE -k K``: a proportional committee from approval ballots.

The file is a CSV with one row per voter and one column per candidate (optional ``voter``
and ``weight`` columns), read by :func:`socialchoice.committee.read_approvals`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

import socialchoice as sc
from socialchoice import committee

from ._console import fail, file_argument, format_option, simple_table, stdout, time_limit_option
from ._output import OutputFormat, to_json

__all__ = ["committee_command"]


def _result(
    file: Path, k: int, rule: str, audit: bool, all_winners: bool, time_limit: float | None
) -> tuple[dict[str, Any], committee.ProportionalityReport | None]:
    """The library's answer as the command's JSON document, and the audit report (or None)."""
    ballots = committee.read_approvals(file)
    chosen = committee.select(
        ballots.matrix,
        k,
        rule,
        resolute=not all_winners,
        weights=ballots.weights,
        time_limit=time_limit,
    )
    winners = chosen if all_winners else [chosen]
    report = None
    if audit:
        if not ballots.is_approval:
            fail("--audit needs approval ballots (0/1 cells); this file has utilities.")
        report = committee.proportionality_report(
            ballots.matrix, winners[0], k=k, weights=ballots.weights, time_limit=time_limit
        )
    out: dict[str, Any] = {
        "rule": rule,
        "k": k,
        "voters": len(ballots.voters),
        "candidates": list(ballots.candidates),
        "committees": [ballots.names(w) for w in winners],
    }
    if report is not None:
        out["audit"] = report.axiom_rows()
        out["welfare"] = report.welfare()
    return out, report


def _print_tables(out: dict[str, Any], report: committee.ProportionalityReport | None) -> None:
    con = stdout()
    con.print(
        Text.assemble(
            ("Ballots: ", "bold"),
            f"{out['voters']} voters, {len(out['candidates'])} candidates; "
            f"rule {out['rule']}, k = {out['k']}",
        )
    )
    committees = out["committees"]
    table = simple_table(
        "Winning committee" + ("s" if len(committees) > 1 else ""),
    )
    table.add_column("#", justify="right")
    table.add_column("members")
    for i, names in enumerate(committees, 1):
        table.add_row(str(i), Text(", ".join(names)))
    con.print(table)
    if report is None:
        return
    t = simple_table("Proportionality audit")
    t.add_column("axiom", style="bold")
    t.add_column("holds")
    t.add_column("witness of a violation", ratio=1)
    for row in out["audit"]:
        t.add_row(row["axiom"], "yes" if row["holds"] else "NO", Text(row["witness"]))
    con.print(t)
    w = out["welfare"]
    con.print(
        f"Welfare: utilitarian {w['utilitarian_welfare']:g} ({w['average_welfare']:.3f} per "
        f"voter), egalitarian {w['egalitarian_welfare']:g}, PAV score {w['pav_score']:.4f}; "
        f"{w['coverage']:.1%} of voters like a member."
    )


def committee_command(
    file: Annotated[
        Path,
        file_argument(
            "FILE",
            "CSV: header of candidate names, one row per voter (0/1 or utilities); "
            "optional 'voter' and 'weight' columns.",
        ),
    ],
    k: Annotated[int, typer.Option("-k", "--size", help="Committee size.")] = 3,
    rule: Annotated[
        str,
        typer.Option("--rule", "-r", help="Committee rule (see `collective rules --committee`)."),
    ] = "pav",
    audit: Annotated[
        bool, typer.Option("--audit", help="Check JR, PJR, EJR and EJR+ and report welfare.")
    ] = False,
    all_winners: Annotated[
        bool, typer.Option("--all", help="List every winning committee (tied optima).")
    ] = False,
    fmt: Annotated[OutputFormat, format_option()] = OutputFormat.table,
    time_limit: Annotated[
        float,
        time_limit_option(
            "Seconds the exact searches (PAV, Chamberlin-Courant and Monroe; every tie of "
            "a sequential rule with --all; the EJR/PJR audit) may run before the command stops "
            "with an error"
        ),
    ] = sc.DEFAULT_TIME_LIMIT,
) -> None:
    """Choose a committee of K candidates from the approval ballots in FILE."""
    if rule not in committee.COMMITTEE_RULES:
        fail(
            f"unknown committee rule {rule!r}; valid rules are: "
            f"{', '.join(committee.rule_names())}.",
            code=2,
        )
    try:
        out, report = _result(file, k, rule, audit, all_winners, time_limit or None)
    except sc.TimeLimitError as exc:
        what = "the audit (--audit)" if exc.rule == "proportionality_report" else f"rule {rule}"
        fail(
            f"{what} did not finish within --time-limit {exc.time_limit:g} s; raise "
            "--time-limit SECONDS (0 = no limit) to get the exact answer.",
        )
    except sc.SocialChoiceError as exc:
        fail(str(exc))
    if fmt is OutputFormat.json:
        typer.echo(to_json(out))
        return
    _print_tables(out, report)
