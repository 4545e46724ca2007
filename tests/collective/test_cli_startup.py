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
# Heavy parts of scipy that only some functions need (each takes 0.3-0.6 s to import).
WATCHED = (*HEAVY, "scipy.stats", "scipy.optimize", "socialchoice.bridging",
           "socialchoice.committee")
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
        [sys.executable, "-c", PROBE % (WATCHED,), *args],
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


def test_import_socialchoice_leaves_scipy_stats_out() -> None:
    code = "import sys, socialchoice; print('scipy.stats' in sys.modules, 'pandas' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False"]


@pytest.mark.parametrize(
    "args",
    [
        ["rules", "--help"],
        ["rules", "--format", "json"],
        ["vote", "--help"],
        ["committee", "--help"],
        ["polis", "--help"],
        ["svo", "score", "--help"],
        ["svo", "llm", "--help"],
        ["svo", "items", "--format", "json"],
        ["svo", "items"],
    ],
    ids=" ".join,
)
def test_small_commands_leave_scipy_stats_and_pandas_out(args: list[str]) -> None:
    probe = _probe(*args)
    assert probe["code"] in (0, None)
    assert {"scipy.stats", "pandas"}.isdisjoint(probe["heavy"])


def test_listing_the_voting_rules_loads_no_solver() -> None:
    probe = _probe("rules", "--format", "json")
    assert {"scipy.optimize", "socialchoice.committee"}.isdisjoint(probe["heavy"])
    probe = _probe("rules", "--committee", "--format", "json")
    assert "socialchoice.committee" in probe["heavy"]


def test_vote_on_a_file_leaves_scipy_stats_and_pandas_out(tmp_path: Path) -> None:
    ballots = tmp_path / "ballots.csv"
    ballots.write_text("a,b,c\nb,c,a\nc,a,b\na,c,b\n")
    probe = _probe("vote", str(ballots), "--format", "json")
    assert probe["code"] in (0, None)
    assert {"scipy.stats", "pandas"}.isdisjoint(probe["heavy"])
    # nor the approval-voting and Polis parts of the library
    assert {"socialchoice.bridging", "socialchoice.committee"}.isdisjoint(probe["heavy"])


@pytest.mark.parametrize("args", [["svo"], ["svo", "--help"]], ids=["bare", "help"])
def test_svo_help_imports_no_subcommand(args: list[str]) -> None:
    probe = _probe(*args)
    assert probe["code"] in (0, 2, None)
    assert probe["heavy"] == []


def test_svo_help_lists_its_commands_in_order() -> None:
    from collective import svo as svo_cli

    result = runner.invoke(cli.app, ["svo", "--help"])
    assert result.exit_code == 0, result.output
    positions = [result.output.index(f" {name} ") for name in svo_cli.COMMANDS]
    assert positions == sorted(positions)
    assert list(svo_cli.COMMANDS) == ["score", "items", "llm"]


def test_svo_listed_help_is_each_commands_own() -> None:
    from collective import svo as svo_cli

    for name, lazy in svo_cli.COMMANDS.items():
        command = lazy.load(name, svo_cli.svo_app)
        own = command.short_help or (command.help or "").strip().splitlines()[0]
        assert lazy.help == own, name


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
def test_every_seed_option_passes_on_the_seed_typed(seed: int) -> None:
    """The commands echo the seed typed; the library maps it where the Generator is made."""
    for path, param, command in _seed_options():
        value = param.process_value(typer.Context(command), str(seed))
        assert value == seed, path


def test_valid_seed_keeps_distinct_negative_seeds_apart() -> None:
    assert len({valid_seed(s) for s in range(-50, 50)}) == 100
    assert all(valid_seed(s) >= 0 for s in range(-50, 50))


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
