"""``collective vote FILE``: winners of a ballot file under every (or some) voting rule.

The file is a PrefLib file (``.soc``, ``.soi``, ``.toc``, ``.toi``) or a CSV of rankings
(``.csv``, ``.txt``), read by :func:`socialchoice.io.read_profile`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.table import Table
from rich.text import Text

import socialchoice as sc
from socialchoice.io import read_profile

from ._console import fail, stdout
from ._output import OutputFormat, to_json

__all__ = ["OutputFormat", "analyse", "vote"]


def analyse(profile: sc.Profile, rule_names: list[str]) -> dict[str, Any]:
    """Summary, Condorcet winner, Smith set and per-rule winners of one profile, as plain data.

    A rule that cannot handle the profile (:class:`socialchoice.RuleInputError`, e.g. a rule
    defined on strict rankings given ballots with ties) gets ``winners=None`` and a note
    ``"n/a — <reason>"`` instead of stopping the whole comparison.

    Examples
    --------
    >>> import socialchoice as sc
    >>> p = sc.Profile([["a", "b", "c"], ["b", "c", "a"]], counts=[3, 2])
    >>> out = analyse(p, ["copeland"])
    >>> out["condorcet_winner"], out["results"][0]["winners"]
    ('a', ['a'])
    """
    results = []
    for name, won in sc.winners_by_rule(profile, rule_names).items():
        row: dict[str, Any] = {"rule": name, "family": sc.RULES[name].family}
        if isinstance(won, Exception):
            row.update(winners=None, note=f"n/a — {won}")
        else:
            row.update(winners=won, note=f"tie of {len(won)}" if len(won) > 1 else "")
        results.append(row)
    smith = sc.winners(profile, "smith") if "smith" in sc.RULES else None
    return {
        "profile": {
            "candidates": list(profile.candidates),
            "num_voters": profile.num_voters,
            "num_ballots": len(profile),
        },
        "condorcet_winner": profile.condorcet_winner(),
        "smith_set": smith,
        "results": results,
    }


def _check_rules(rule: list[str] | None) -> list[str]:
    if not rule:
        return sc.rule_names()
    unknown = [r for r in rule if r not in sc.RULES]
    if unknown:
        fail(
            f"unknown rule {unknown[0]!r}; valid rules are: {', '.join(sorted(sc.RULES))}.",
            code=2,
        )
    return list(dict.fromkeys(rule))


def _labels(xs: list[Any]) -> str:
    return ", ".join(str(x) for x in xs)


def vote(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            metavar="FILE",
            help="Ballots: PrefLib (.soc .soi .toc .toi) or CSV rankings (.csv .txt).",
        ),
    ],
    rule: Annotated[
        list[str] | None,
        typer.Option(
            "--rule",
            "-r",
            metavar="RULE",
            help="A rule name (repeatable); default: every registered rule.",
        ),
    ] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="Output as rich tables or as JSON.")
    ] = OutputFormat.table,
) -> None:
    """Winners of the ballots in FILE under each voting rule, with a profile summary."""
    names = _check_rules(rule)
    try:
        profile = read_profile(file)
    except sc.SocialChoiceError as exc:
        fail(str(exc))
    except UnicodeDecodeError as exc:
        fail(f"{file} is not UTF-8 text ({exc.reason} at byte {exc.start}).")
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror or exc}.")
    out = analyse(profile, names)
    if fmt is OutputFormat.json:
        typer.echo(to_json(out))
        return
    con = stdout()
    summary = out["profile"]
    con.print(
        Text.assemble(
            ("Profile: ", "bold"),
            f"{len(summary['candidates'])} candidates ({_labels(summary['candidates'])}), "
            f"{summary['num_voters']} voters, {summary['num_ballots']} distinct ballots",
        )
    )
    cw = out["condorcet_winner"]
    line = Text.assemble(("Condorcet winner: ", "bold"), str(cw)) if cw is not None else Text(
        "No Condorcet winner", style="bold"
    )
    if cw is None and out["smith_set"] is not None:
        line.append(f"; Smith set (top cycle): {_labels(out['smith_set'])}")
    con.print(line)
    table = Table(title="Winners by rule", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("rule", style="bold", no_wrap=True)
    table.add_column("family", no_wrap=True)
    table.add_column("winners")
    table.add_column("note", ratio=1)
    for row in out["results"]:
        winners = "" if row["winners"] is None else _labels(row["winners"])
        table.add_row(Text(row["rule"]), Text(row["family"]), Text(winners), Text(row["note"]))
    con.print(table)
