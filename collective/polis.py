"""``collective polis FOLDER``: groups, representative and consensus statements, bridging slate.

FOLDER is a Polis CSV export (``comments.csv``, ``participants-votes.csv``, optionally
``votes.csv`` and ``summary.csv``) or a ``.zip`` of one, read by
:func:`socialchoice.read_polis`.
"""

from __future__ import annotations

import enum
import math
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

import socialchoice as sc
from socialchoice import bridging, committee

from ._console import fail, format_option, fraction_progress, seed_option, simple_table, stdout
from ._output import OutputFormat, to_json

__all__ = ["GroupSource", "polis_command"]


class GroupSource(enum.StrEnum):
    """Where the opinion groups come from."""

    polis = "polis"
    ours = "ours"


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.0%}"


def _slate_table(report: bridging.ConversationReport, rule: str) -> Table:
    """The report's :meth:`~socialchoice.bridging.ConversationReport.slate_frame` as a table."""
    frame = report.slate_frame()
    agree = [c for c in frame.columns if c.startswith("agree_group_")]
    t = simple_table(f"Bridging slate ({rule})")
    t.add_column("id", justify="right")
    t.add_column("statement", ratio=1)
    t.add_column("consensus", justify="right")
    t.add_column("agree by group", no_wrap=True)
    for row in frame.to_dict("records"):
        t.add_row(
            str(row["statement_id"]),
            Text(row["statement"]),
            f"{row['consensus']:.3f}",
            " / ".join(_pct(None if math.isnan(row[c]) else row[c]) for c in agree),
        )
    return t


def _print_report(report: bridging.ConversationReport) -> None:
    out = report.to_dict()
    con = stdout()
    conv = out["conversation"]
    con.print(Text.assemble(("Conversation: ", "bold"), f"{conv['topic']} ({conv['name']})"))
    con.print(
        f"{conv['participants']} participants, {conv['statements']} statements "
        f"(moderated-out removed), {conv['votes']} votes"
    )
    for note in conv["notes"]:
        con.print(Text(f"Note: {note}", style="dim"))
    grp = out["groups"]
    sizes = ", ".join(f"group {g}: {n}" for g, n in grp["sizes"].items())
    source = "Polis's own groups" if grp["source"] == "polis" else "recomputed (PCA + k-means)"
    con.print(
        Text.assemble(("Groups: ", "bold"), f"{sizes}; {grp['ungrouped']} ungrouped; {source}")
    )
    for g, reps in out["representative"].items():
        t = simple_table(f"Representative statements of group {g}")
        t.add_column("id", justify="right")
        t.add_column("statement", ratio=1)
        t.add_column("group", no_wrap=True)
        t.add_column("vs rest", justify="right", no_wrap=True)
        for r in reps:
            t.add_row(
                str(r["id"]),
                Text(r["text"]),
                f"{r['direction']} {_pct(r['p'])}",
                f"{r['ratio']:.1f}×",
            )
        con.print(t)
    for direction in ("agree", "disagree"):
        rows = out["consensus"][direction]
        t = simple_table(f"Consensus: most {direction}d overall (ranked by z)")
        t.add_column("id", justify="right")
        t.add_column("statement", ratio=1)
        t.add_column(direction, justify="right")
        t.add_column("z", justify="right")
        for r in rows:
            t.add_row(str(r["id"]), Text(r["text"]), _pct(r["p"]), f"{r['z']:.1f}")
        con.print(t if rows else Text(f"No significant consensus to {direction}."))
    slate = out["slate"]
    con.print(_slate_table(report, slate["rule"]))
    a = simple_table("Audit of the slate (agree = approve)")
    a.add_column("axiom", style="bold")
    a.add_column("holds")
    a.add_column("witness of a violation", ratio=1)
    for name, r in slate["audit"].items():
        a.add_row(name, "yes" if r["holds"] else "NO", Text(r["witness"]))
    con.print(a)


def polis_command(
    folder: Annotated[
        Path,
        typer.Argument(
            exists=True,
            readable=True,
            metavar="FOLDER",
            help="A Polis CSV export folder (or .zip): comments.csv, participants-votes.csv, "
            "optionally votes.csv and summary.csv.",
        ),
    ],
    groups: Annotated[
        GroupSource,
        typer.Option("--groups", help="Polis's own group ids, or recompute them (ours)."),
    ] = GroupSource.polis,
    k: Annotated[int, typer.Option("-k", "--size", help="Size of the bridging slate.")] = 5,
    rule: Annotated[
        str,
        typer.Option(
            "--rule", "-r", help="'consensus' (group-aware) or a committee rule such as pav."
        ),
    ] = "consensus",
    top: Annotated[int, typer.Option("--top", help="Statements per list.")] = 5,
    seed: Annotated[int, seed_option("Seed of the k-means restarts.")] = 0,
    fmt: Annotated[OutputFormat, format_option()] = OutputFormat.table,
) -> None:
    """Opinion groups, representative and consensus statements and an audited bridging slate."""
    if rule != "consensus" and rule not in committee.COMMITTEE_RULES:
        fail(
            f"unknown rule {rule!r}; valid rules are: consensus, "
            f"{', '.join(committee.rule_names())}.",
            code=2,
        )
    try:
        conv = sc.read_polis(folder)
        with fraction_progress(
            "reading", disable=fmt is OutputFormat.json, percent=False
        ) as bar:

            def progress(done: int, total: int) -> None:
                bar(done / total, bridging.analysis_step(done))

            report = bridging.analyse_conversation(
                conv, groups=groups.value, k=k, rule=rule, top=top, rng=seed, progress=progress
            )
    except sc.SocialChoiceError as exc:
        fail(str(exc))
    if fmt is OutputFormat.json:
        typer.echo(to_json(report.to_dict()))
        return
    _print_report(report)
