"""The opinions-to-slate pipeline: CSV readers, build_slate and SlateRun, with a toy embedder.

No model loads here: a two-dimensional "yes"/"no" counter stands in for the sentence model,
so the slates are known in advance. The real models run in tests/collective/test_cli_slate.py
and tests/app/test_slate_page.py.
"""

from __future__ import annotations

import ast
import csv
import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from socialchoice import GenerativeError
from socialchoice.generative import (
    BASELINE_RULES,
    DEMO_FOLDER,
    SLATE_GENERATORS,
    SLATE_RATERS,
    BJRViolation,
    Opinions,
    Pool,
    build_slate,
    pool_from_opinions,
    read_opinions,
    read_pool,
    slate_work,
)

from .helpers import ScriptedChat

ROOT = Path(__file__).resolve().parents[3]
YES_NO = b"participant,opinion\na,yes yes\nb,yes\nc,no no\nd,no\ne,yes no\nf,no yes no\n"


class Toy:
    """Embeds a text as its normalised ("yes", "no") counts; reports progress like lm's."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts, progress=None):
        self.calls.append(list(texts))
        v = np.array([[t.count("yes") + 0.1, t.count("no") + 0.1] for t in texts])
        if progress is not None:
            progress(len(texts), len(texts))
        return v / np.linalg.norm(v, axis=1, keepdims=True)


# ------------------------------------------------------------------------------ readers


def test_read_opinions_bom_case_and_ids(tmp_path: Path) -> None:
    path = tmp_path / "ops.csv"
    path.write_bytes('\ufeffWho,Opinion\nx,One.\ny," Two, quoted. "\n'.encode())
    ops = read_opinions(path, id_column="who")
    assert ops == Opinions(("x", "y"), ("One.", "Two, quoted."), "ops.csv")
    assert read_opinions(path).participants == ("1", "2")  # no 'participant' column
    blank_rows = read_opinions(b"opinion\nOne.\n,\n\nTwo.\n")  # blank rows are skipped
    assert blank_rows.texts == ("One.", "Two.") and len(blank_rows) == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", r"opinions is empty; it needs a header row"),
        (b"participant,opinion\n", r"opinions has a header but no data rows"),
        (b",\nx,y\n", r"opinions: row 1 must be a header"),
        (b"opinion\n\xff\n", r"not UTF-8 text \(byte 8\)"),
        (b"participant,opinion\na,Yes, but.\n", r"row 2 has 3 cells but the header has 2"),
        (b"participant,opinion\na,One.\na,Two.\n", r"'a' is on rows 2 and 3"),
        (b"participant,opinion\n,One.\n", r"column 'participant' is empty on row 2"),
        (b"who,text\na,One.\n", r"no column 'opinion' \(the opinions\); its columns are 'who'"),
    ],
)
def test_read_opinions_errors_name_file_row_and_column(data: bytes, message: str) -> None:
    with pytest.raises(GenerativeError, match=message):
        read_opinions(data)


def test_empty_rows_are_listed_and_cut_after_ten(tmp_path: Path) -> None:
    data = b"participant,opinion\np0,ok\n" + b"".join(b"p%d,\n" % i for i in range(1, 13))
    with pytest.raises(GenerativeError, match=r"rows 3, 4, .*, 12 and 2 more \(the header"):
        read_opinions(data, name="gaps.csv")
    with pytest.raises(GenerativeError, match=r"nowhere\.csv: no such file"):
        read_opinions(tmp_path / "nowhere.csv")


def test_read_pool_ids_and_duplicates() -> None:
    assert read_pool(b"statement_id,statement\ns1,A.\ns2,B.\n").ids == ("s1", "s2")
    pool = read_pool(b"Text\nA.\nB.\n", statement_column="text", name="cands.csv")
    assert pool == Pool(("1", "2"), ("A.", "B."), "cands.csv")
    with pytest.raises(GenerativeError, match=r"pool: column 'statement' must not repeat"):
        read_pool(b"statement\nA.\nA.\n")


def test_pool_from_opinions_keeps_first_author_and_order() -> None:
    ops = Opinions(("a", "b", "c", "d"), ("No.", "Yes.", "No.", "Maybe."), "ops.csv")
    pool = pool_from_opinions(ops)
    assert pool == Pool(("a", "b", "d"), ("No.", "Yes.", "Maybe."), "the opinions of ops.csv")


def test_demo_data_reads() -> None:
    ops = read_opinions(DEMO_FOLDER / "opinions.csv")
    pool = read_pool(DEMO_FOLDER / "pool.csv")
    assert (len(ops), len(pool)) == (120, 30)
    question = (DEMO_FOLDER / "question.txt").read_text(encoding="utf-8").strip()
    assert question and ops.question == question


def test_read_opinions_takes_the_question_from_question_txt(tmp_path: Path) -> None:
    path = tmp_path / "opinions.csv"
    path.write_bytes(YES_NO)
    assert read_opinions(path).question is None  # no question.txt
    assert read_opinions(YES_NO).question is None  # bytes: no folder
    (tmp_path / "question.txt").write_text("  Yes or no?\n", encoding="utf-8")
    assert read_opinions(path).question == "Yes or no?"
    assert read_opinions(YES_NO).question is None
    (tmp_path / "question.txt").write_text(" \n", encoding="utf-8")
    assert read_opinions(path).question is None  # empty file: no question
    (tmp_path / "question.txt").write_bytes(b"\xff\xfe bad")
    with pytest.raises(GenerativeError, match=r"question\.txt is not UTF-8"):
        read_opinions(path)


# ------------------------------------------------------------------------------ build_slate


def test_build_slate_groups_the_yes_and_the_no() -> None:
    steps: list[tuple[int, int]] = []
    embedder = Toy()
    run = build_slate(
        read_opinions(YES_NO), 2, embedder=embedder, progress=lambda d, t: steps.append((d, t))
    )
    frame = run.slate_frame()
    assert list(frame.columns) == ["slot", "statement", "group_size", "mean_utility"]
    assert frame["slot"].tolist() == [1, 2] and frame["group_size"].tolist() == [3, 3]
    assignment = run.assignment_frame()
    assert list(assignment.columns) == ["participant", "slot", "statement", "utility"]
    groups = assignment.groupby("slot")["participant"].apply(set).tolist()
    assert sorted(map(sorted, groups)) == [["a", "b", "e"], ["c", "d", "f"]]
    assert run.pool.name == "the opinions of opinions" and run.pool_utilities.shape == (6, 6)
    assert run.violations == [] and run.question is None and run.seed == 0
    assert run.warnings == ()
    assert list(run.baselines) == ["top_mean", *BASELINE_RULES, "kmeans"]
    assert list(run.comparison.index) == ["generative", *run.baselines]
    # progress(done, total): from (0, total) to (total, total), never backwards
    work = slate_work(run.opinions, 2)
    assert {t for _, t in steps} == {work.total}
    done = [d for d, _ in steps]
    assert done == sorted(done) and done[0] == 0 and done[-1] == work.total
    labels = [work.describe(d) for d in done]
    assert labels[0] == "embedding the opinions" and labels[-1] == "done"
    assert {"round 1 of 2", "round 2 of 2", "baseline slates"} <= set(labels)
    assert embedder.calls[0] == list(run.opinions.texts)  # the opinions, once, in order


def test_build_slate_with_a_pool_smaller_than_k_has_no_baselines() -> None:
    ops = read_opinions(YES_NO)
    pool = read_pool(b"statement\nyes\n")
    run = build_slate(ops, 2, embedder=Toy(), pool=pool)
    assert run.baselines == {} and run.slate.statements == ("yes", "yes")
    assert list(run.comparison.index) == ["generative"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"k": 0}, r"'k' parameter of build_slate must be an int in \[1, 6\] .*Got 0 instead"),
        ({"k": 7}, r"in \[1, 6\] \(the number of participants in opinions\)"),
        ({"k": True}, r"Got True instead"),
        ({"k": 2.0}, r"Got 2\.0 instead"),
        ({"rater": "votes"}, r"'rater' .* must be one of 'embedding', 'llm'. Got 'votes'"),
        ({"generator": "gpt"}, r"'generator' .* must be one of 'pool', 'llm'. Got 'gpt'"),
        ({"rng": "x"}, r"'rng' parameter of build_slate"),
        ({"progress": 3}, r"'progress' parameter of build_slate"),
        ({"rater": "llm"}, r"'chat_model' parameter of build_slate .* Got None"),
        ({"generator": "llm"}, r"rater='embedding' and generator='llm'"),
    ],
)
def test_build_slate_refuses_bad_options_before_any_work(options: dict, message: str) -> None:
    embedder = Toy()
    options = {"k": 2, **options}
    with pytest.raises(GenerativeError, match=message):
        build_slate(read_opinions(YES_NO), embedder=embedder, **options)
    assert embedder.calls == []


def test_choices_are_the_cli_choices() -> None:
    from collective.slate import GeneratorChoice, RaterChoice

    assert SLATE_RATERS == tuple(RaterChoice) and SLATE_GENERATORS == tuple(GeneratorChoice)


def test_llm_written_slate_never_repeats_a_statement() -> None:
    """The model keeps writing a pool statement; the slate still holds distinct statements."""
    chat = ScriptedChat(["yes yes"])
    ops = read_opinions(YES_NO)
    run = build_slate(ops, 3, embedder=Toy(), generator="llm", chat_model=chat)
    assert len(set(run.slate.statements)) == 3, run.slate.statements
    assert run.slate.statements[0] == "yes yes"
    assert chat.calls == 3 * 4  # four candidate statements per round, one call each


def test_llm_written_slate_reports_every_candidate_statement() -> None:
    steps: list[int] = []
    ops = read_opinions(YES_NO)
    chat = ScriptedChat(["A new statement.", "yes no yes", "Another one."])
    run = build_slate(
        ops,
        2,
        embedder=Toy(),
        generator="llm",
        chat_model=chat,
        progress=lambda d, t: steps.append(d),
    )
    work = slate_work(ops, 2, generator="llm")
    writing = [d for d in steps if work.describe(d) == "round 1 of 2: writing candidate statements"]
    assert len(writing) >= 4  # the bar moves with each statement written, not once per round
    assert steps == sorted(steps) and steps[-1] == work.total
    assert len(set(run.slate.statements)) == 2


def test_llm_generator_work_warns_like_the_llm_rater() -> None:
    ops = read_opinions(DEMO_FOLDER / "opinions.csv")
    pool = read_pool(DEMO_FOLDER / "pool.csv")
    assert slate_work(ops, 5, pool=pool).warnings() == []
    (rating,) = slate_work(ops, 5, pool=pool, rater="llm").warnings()
    assert rating.startswith("Slow:") and "120 × 30" in rating
    (writing,) = slate_work(ops, 5, pool=pool, generator="llm").warnings()
    assert (
        writing.startswith("Slow:") and "4 candidate statements in each of the 5 rounds" in writing
    )
    both = slate_work(ops, 5, pool=pool, rater="llm", generator="llm")
    assert len(both.warnings()) == 2 and both.model_calls > 2 * 120 * 30


def test_logged_warnings_reach_the_result() -> None:
    """Nobody rates any candidate 4 or more: the committee baselines log a warning."""
    ops = read_opinions(b"opinion\nyes\nyes\nyes\nyes\n")
    pool = read_pool(b"statement\nno\nno no\nno no no\n")
    run = build_slate(ops, 2, embedder=Toy(), pool=pool)
    assert run.warnings, "the committee rules' warning was lost"
    assert all("no participant rates any candidate statement 4 or more" in w for w in run.warnings)
    assert len(run.warnings) == len(set(run.warnings)) == 4  # one per committee rule
    assert run.audit()["warnings"] == list(run.warnings)


def test_any_integer_seed_negative_ones_too() -> None:
    ops = read_opinions(YES_NO)
    a = build_slate(ops, 2, embedder=Toy(), rng=-7)
    b = build_slate(ops, 2, embedder=Toy(), rng=-7)
    assert a.seed == -7 and a.slate.statements == b.slate.statements
    assert build_slate(ops, 2, embedder=Toy(), rng=np.random.default_rng(1)).seed is None


# ------------------------------------------------------------------------------ SlateRun


def test_write_and_to_dict_agree(tmp_path: Path) -> None:
    run = build_slate(read_opinions(YES_NO), 2, embedder=Toy(), question="Yes or no?", rng=3)
    paths = run.write(tmp_path / "out")
    assert [p.name for p in paths] == ["slate.csv", "assignment.csv", "audit.json"]
    with open(paths[0], encoding="utf-8", newline="") as f:
        slate = list(csv.DictReader(f))
    assert [r["statement"] for r in slate] == list(run.slate.statements)
    audit = json.loads(paths[2].read_text(encoding="utf-8"))
    assert audit == json.loads(json.dumps(run.audit()))
    assert {key: audit[key] for key in ("k", "n", "pool_size", "rater", "generator")} == {
        "k": 2,
        "n": 6,
        "pool_size": 6,
        "rater": "embedding",
        "generator": "pool",
    }
    assert (audit["seed"], audit["question"]) == (3, "Yes or no?")
    everything = run.to_dict()
    assert {k: everything[k] for k in audit} == audit
    assert [r["participant"] for r in everything["assignment"]] == list("abcdef")
    assert [r["slot"] for r in everything["slate"]] == [1, 2]


def test_violation_records_use_statement_and_participant_ids() -> None:
    run = build_slate(read_opinions(YES_NO), 2, embedder=Toy())
    bad = dataclasses.replace(
        run, violations=[BJRViolation(statement=2, threshold=5.0, coalition=(0, 4))]
    )
    assert bad.violation_records() == [
        {
            "statement_id": run.pool.ids[2],
            "statement": run.pool.statements[2],
            "threshold": 5.0,
            "size": 2,
            "coalition": ["a", "e"],
        }
    ]


# ------------------------------------------------------------------------------ layering


def test_the_package_imports_neither_lm_nor_heavy_libraries() -> None:
    code = (
        "import sys, socialchoice.generative; "
        "heavy = ('lm', 'collective', 'pandas', 'sklearn', 'torch', 'transformers', 'streamlit'); "
        "print([m for m in heavy if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_the_slate_page_does_not_import_the_cli() -> None:
    tree = ast.parse((ROOT / "deliberation" / "pages" / "slate.py").read_text(encoding="utf-8"))
    imported = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not any(name.split(".")[0] == "collective" for name in imported), imported
