"""``collective`` starts fast (commands imported only when run) and takes any ``--seed``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.main import get_command
from typer.testing import CliRunner

from _common.validation import seed_from
from collective import main as cli
from collective._console import valid_seed

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("numpy", "pandas", "scipy", "torch", "transformers", "matplotlib", "socialchoice", "svo")
runner = CliRunner()

# Run the CLI in a fresh interpreter and print which heavy modules it imported.
PROBE = """
import json, sys
from collective.main import app
try:
    app(sys.argv[1:])
except SystemExit as exit:
    code = exit.code
print(json.dumps({"code": code, "heavy": [m for m in %r if m in sys.modules]}))
"""


def _probe(*args: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PROBE % (HEAVY,), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("args", [["--help"], ["--version"], []], ids=["help", "version", "bare"])
def test_help_and_version_import_no_heavy_module(args: list[str]) -> None:
    probe = _probe(*args)
    assert probe["code"] in (0, 2, None)
    assert probe["heavy"] == []


def test_a_command_imports_its_module_only_when_it_runs() -> None:
    probe = _probe("rules", "--format", "json")
    assert probe["code"] in (0, None)
    assert "socialchoice" in probe["heavy"]
    assert "torch" not in probe["heavy"] and "matplotlib" not in probe["heavy"]


def test_svo_items_needs_neither_the_voting_library_nor_torch() -> None:
    probe = _probe("svo", "items", "--format", "json")
    assert probe["code"] in (0, None)
    assert {"socialchoice", "torch", "transformers", "matplotlib"}.isdisjoint(probe["heavy"])


def _loaded(name: str):
    return cli.COMMANDS[name].load(name, cli.app)


@pytest.mark.parametrize("name", list(cli.COMMANDS))
def test_the_listed_help_is_the_commands_own(name: str) -> None:
    command = _loaded(name)
    own = command.short_help or (command.help or "").strip().splitlines()[0]
    assert cli.COMMANDS[name].help == own


def test_help_lists_every_command_in_order() -> None:
    result = runner.invoke(cli.app, ["--help"])
    assert result.exit_code == 0, result.output
    positions = [result.output.index(f" {name} ") for name in cli.COMMANDS]
    assert positions == sorted(positions)


def test_a_mistyped_command_gets_a_suggestion() -> None:
    result = runner.invoke(cli.app, ["comittee"])
    assert result.exit_code == 2
    assert "No such command 'comittee'" in result.output
    assert "Did you mean 'committee'" in result.output


def test_every_command_runs_through_the_lazy_group() -> None:
    result = runner.invoke(cli.app, ["svo", "items", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["items"]) == 15


# --seed: any integer


def _seed_options():
    """(command path, --seed parameter) of every command that has one."""
    group = get_command(cli.app)
    found = []

    def walk(command, path: str) -> None:
        for param in command.params:
            if param.name == "seed":
                found.append((path, param, command))
        ctx = typer.Context(command)
        if hasattr(command, "list_commands"):
            for name in command.list_commands(ctx):
                walk(command.get_command(ctx, name), f"{path} {name}".strip())

    walk(group, "")
    return found


def test_the_seed_commands_are_found() -> None:
    paths = {path for path, _, _ in _seed_options()}
    assert {"polis", "slate", "svo score", "svo llm"} <= paths


@pytest.mark.parametrize("seed", [0, 7, -1, -(2**70), 2**70])
def test_every_seed_option_passes_on_a_valid_seed(seed: int) -> None:
    for path, param, command in _seed_options():
        value = param.process_value(typer.Context(command), str(seed))
        assert value == seed_from(seed) >= 0, path


def test_valid_seed_keeps_distinct_negative_seeds_apart() -> None:
    assert len({valid_seed(s) for s in range(-50, 50)}) == 100


def test_polis_takes_a_negative_seed() -> None:
    folder = ROOT / "data" / "polis" / "15-per-hour-seattle"
    args = ["polis", str(folder), "--groups", "ours", "--format", "json"]
    negative = runner.invoke(cli.app, [*args, "--seed", "-1"])
    assert negative.exit_code == 0, negative.output
    mapped = runner.invoke(cli.app, [*args, "--seed", str(seed_from(-1))])
    assert json.loads(negative.stdout) == json.loads(mapped.stdout)


def test_svo_score_takes_a_negative_seed() -> None:
    survey = ROOT / "data" / "svo_demo_survey.csv"
    result = runner.invoke(
        cli.app, ["svo", "score", str(survey), "--by", "group", "--seed", "-3", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
