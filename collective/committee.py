"""``collective committee FILE -k K``: a proportional committee from approval ballots.

The file is a CSV with one row per voter and one column per candidate (optional ``voter``
and ``weight`` columns), read by :func:`socialchoice.committee.read_approvals`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table
from rich.text import Text

import socialchoice as sc
from socialchoice import committee

from ._console import fail, stdout
from .vote import OutputFormat

__all__ = ["audit_rows", "committee_command"]


def audit_rows(report: Any) -> list[dict[str, Any]]:
    """The four axioms of a proportionality report as ``{"axiom", "holds", "witness"}`` rows.

    Examples
    --------
    >>> from socialchoice import committee
    >>> rep = committee.proportionality_report([[1, 0], [0, 1]], (0,), k=1)
    >>> [r["axiom"] for r in audit_rows(rep)]
    ['JR', 'PJR', 'EJR', 'EJR+']
    """
    rows = []
    for attr in ("jr", "pjr", "ejr", "ejr_plus"):
        result = getattr(report, attr)
        rows.append(
            {
                "axiom": result.property,
                "holds": bool(result),
                "witness": "" if result else result.explanation,
            }
        )
    return rows


def committee_command(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            metavar="FILE",
            help="CSV: header of candidate names, one row per voter (0/1 or utilities); "
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
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="Output as rich tables or as JSON.")
    ] = OutputFormat.table,
) -> None:
    """Choose a committee of K candidates from the approval ballots in FILE."""
    if rule not in committee.COMMITTEE_RULES:
        fail(
            f"unknown committee rule {rule!r}; valid rules are: "
            f"{', '.join(committee.rule_names())}.",
            code=2,
        )
    try:
        ballots = committee.read_approvals(file)
        chosen = committee.select(
            ballots.matrix, k, rule, resolute=not all_winners, weights=ballots.weights
        )
        winners = chosen if all_winners else [chosen]
        report = None
        if audit:
            if not ballots.is_approval:
                fail("--audit needs approval ballots (0/1 cells); this file has utilities.")
            report = committee.proportionality_report(
                ballots.matrix, winners[0], k=k, weights=ballots.weights
            )
    except sc.SocialChoiceError as exc:
        fail(str(exc))
    out: dict[str, Any] = {
        "rule": rule,
        "k": k,
        "voters": len(ballots.voters),
        "candidates": list(ballots.candidates),
        "committees": [ballots.names(w) for w in winners],
    }
    if report is not None:
        out["audit"] = audit_rows(report)
        full = report.to_dict()
        out["welfare"] = {
            key: full[key]
            for key in (
                "utilitarian_welfare",
                "average_welfare",
                "egalitarian_welfare",
                "pav_score",
                "coverage",
            )
        }
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(out, indent=2, ensure_ascii=False, default=float))
        return
    con = stdout()
    con.print(
        Text.assemble(
            ("Ballots: ", "bold"),
            f"{out['voters']} voters, {len(ballots.candidates)} candidates; rule {rule}, k = {k}",
        )
    )
    table = Table(
        title="Winning committee" + ("s" if len(winners) > 1 else ""),
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("#", justify="right")
    table.add_column("members")
    for i, names in enumerate(out["committees"], 1):
        table.add_row(str(i), Text(", ".join(names)))
    con.print(table)
    if report is not None:
        t = Table(title="Proportionality audit", box=box.SIMPLE_HEAD, pad_edge=False)
        t.add_column("axiom", style="bold")
        t.add_column("holds")
        t.add_column("witness of a violation", ratio=1)
        for row in out["audit"]:
            t.add_row(row["axiom"], "yes" if row["holds"] else "NO", Text(row["witness"]))
        con.print(t)
        con.print(Text(str(report)))
