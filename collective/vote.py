"""``collective vote FILE``: winners of a ballot file under every (or some) voting rule.

The file is a PrefLib file (``.soc``, ``.soi``, ``.toc``, ``.toi``) or a CSV of rankings
(``.csv``, ``.txt``), read by :func:`socialchoice.io.read_profile`. The table is
:func:`socialchoice.summarize`'s; this module only reads the file and draws it.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.text import Text

import socialchoice as sc
from socialchoice.io import read_profile

from ._console import (
    fail,
    file_argument,
    format_option,
    simple_table,
    stderr,
    stdout,
    time_limit_option,
)
from ._output import OutputFormat, to_json

__all__ = ["OutputFormat", "vote"]


class Layout(enum.StrEnum):
    """The CSV layouts ``--layout`` takes."""

    auto = "auto"
    ranked = "ranked"
    matrix = "matrix"


#: The reader's argument names in its hints, as this command's options.
_OPTION_WORDS = [
    (re.compile(r"layout='(ranked|matrix)'"), r"--layout \1"),
    (re.compile(r"header=True"), "--header"),
    (re.compile(r"header=False"), "--no-header"),
    (re.compile(r"header=None"), "neither --header nor --no-header"),
    (re.compile(r"\bread the file with\b"), "run again with"),
]


def _in_option_words(message: str) -> str:
    """A reader's message with its argument names replaced by this command's options.

    >>> _in_option_words("If the cells are names, read the file with layout='ranked'.")
    'If the cells are names, run again with --layout ranked.'
    """
    for pattern, words in _OPTION_WORDS:
        message = pattern.sub(words, message)
    return message


def _read(file: Path, layout: str | None, header: bool | None) -> sc.Profile:
    """The profile in ``file``; a file that cannot be read ends the command with exit 1."""
    try:
        return read_profile(file, layout=layout, header=header)
    except sc.SocialChoiceError as exc:
        fail(_in_option_words(str(exc)))
    except UnicodeDecodeError as exc:
        fail(f"{file} is not UTF-8 text ({exc.reason} at byte {exc.start}).")
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror or exc}.")


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


def _labels(xs: Sequence[Any]) -> str:
    return ", ".join(str(x) for x in xs)


def vote(
    file: Annotated[
        Path,
        file_argument(
            "FILE",
            "Ballots: PrefLib (.soc .soi .toc .toi) or CSV rankings (.csv .txt).",
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
    fmt: Annotated[OutputFormat, format_option()] = OutputFormat.table,
    time_limit: Annotated[
        float,
        time_limit_option(
            "Seconds each rule whose search can take exponential time (Kemeny, Slater, "
            "ranked pairs, stable voting) may run before it is reported as n/a"
        ),
    ] = sc.DEFAULT_TIME_LIMIT,
    layout: Annotated[
        Layout,
        typer.Option(
            "--layout",
            help="CSV layout: ranked lists (one ballot per row, best first) or a rank matrix "
            "(candidates in the header, positions below); default: detect when unambiguous.",
        ),
    ] = Layout.auto,
    header: Annotated[
        bool | None,
        typer.Option(
            "--header/--no-header",
            help="Whether a CSV file's first row is a header; default: detect.",
        ),
    ] = None,
) -> None:
    """Winners of the ballots in FILE under each voting rule, with a profile summary."""
    names = _check_rules(rule)
    profile = _read(file, None if layout is Layout.auto else layout.value, header)
    columns = (TextColumn("running the rules"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=stderr(), transient=True,
                  disable=fmt is OutputFormat.json) as bar:
        task = bar.add_task("rules", total=len(names))
        summary = sc.summarize(
            profile, names, time_limit=time_limit or None,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    if fmt is OutputFormat.json:
        typer.echo(to_json(summary.to_dict()))
        return
    _print_summary(summary)


def _print_summary(summary: sc.Summary) -> None:
    con = stdout()
    con.print(
        Text.assemble(
            ("Profile: ", "bold"),
            f"{len(summary.candidates)} candidates ({_labels(summary.candidates)}), "
            f"{summary.num_voters} voters, {summary.num_ballots} distinct ballots",
        )
    )
    cw = summary.condorcet_winner
    line = Text.assemble(("Condorcet winner: ", "bold"), str(cw)) if cw is not None else Text(
        "No Condorcet winner", style="bold"
    )
    if cw is None and summary.smith_set is not None:
        line.append(f"; Smith set (top cycle): {_labels(summary.smith_set)}")
    con.print(line)
    table = simple_table("Winners by rule")
    table.add_column("rule", style="bold", no_wrap=True)
    table.add_column("family", no_wrap=True)
    table.add_column("winners")
    table.add_column("note", ratio=1)
    for row in summary.results:
        winners = "" if row.winners is None else _labels(row.winners)
        table.add_row(Text(row.rule), Text(row.family), Text(winners), Text(row.note))
    slow = [row.rule for row in summary.results if row.status == "time limit"]
    if slow:
        table.caption = (
            f"{_labels(slow)} ran out of time: raise --time-limit SECONDS (0 = no limit)."
        )
    con.print(table)
