"""The options every command shares (``collective._console``) read the same in each command."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from typer.testing import CliRunner

from collective import main as cli
from collective import svo as svo_cli

runner = CliRunner()
DEMO = Path(__file__).resolve().parents[2] / "data" / "svo_demo_survey.csv"


def _commands() -> list[tuple[str, click.Command]]:
    top = [(name, lazy.load(name, cli.app)) for name, lazy in cli.COMMANDS.items() if name != "svo"]
    svo = [(f"svo {n}", lazy.load(n, svo_cli.svo_app)) for n, lazy in svo_cli.COMMANDS.items()]
    return top + svo


COMMANDS = _commands()


def _words(output: str) -> str:
    """The text of an error box, its frame and line breaks taken out."""
    return " ".join(output.replace("│", " ").split())


def _params(name: str) -> list[tuple[str, click.Parameter]]:
    return [(name, p) for cmd_name, cmd in COMMANDS if cmd_name == name for p in cmd.params]


def _all(kind: str) -> list[tuple[str, click.Parameter]]:
    return [(n, p) for n, cmd in COMMANDS for p in cmd.params if p.name == kind]


@pytest.mark.parametrize(("command", "param"), _all("fmt"), ids=lambda x: getattr(x, "name", x))
def test_format_is_one_option(command: str, param: click.Parameter) -> None:
    assert param.opts == ["--format"]
    assert param.help.startswith(("Output as ", "A rich table", "Rich tables")), command


@pytest.mark.parametrize("command", ["vote", "committee"])
def test_time_limit_takes_seconds_from_zero_and_zero_means_no_limit(command: str) -> None:
    (param,) = [p for _, p in _params(command) if p.name == "time_limit"]
    assert param.opts == ["--time-limit"] and param.metavar == "SECONDS"
    assert param.min == 0.0 and param.help.endswith("; 0 means no limit.")


@pytest.mark.parametrize("command", ["vote", "committee", "slate", "svo score"])
def test_the_input_file_must_not_be_a_folder(command: str, tmp_path: Path) -> None:
    result = runner.invoke(cli.app, [*command.split(), str(tmp_path)])
    assert result.exit_code == 2
    assert "is a directory" in _words(result.output)


@pytest.mark.parametrize(
    ("command", "option"),
    [("svo score", "--out"), ("svo score", "--plot"), ("svo score", "--circle"),
     ("svo llm", "--out")],
)
def test_written_files_must_not_be_folders(command: str, option: str, tmp_path: Path) -> None:
    survey = [str(DEMO)] if command == "svo score" else []
    result = runner.invoke(cli.app, [*command.split(), *survey, option, str(tmp_path)])
    assert result.exit_code == 2
    assert "is a directory" in _words(result.output)
    (param,) = [p for _, p in _params(command) if option in p.opts]
    assert param.show_default is False
