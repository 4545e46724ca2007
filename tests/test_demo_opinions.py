"""The ``data/assistant_opinions`` demo data set: reproducible, valid and as documented."""

from __future__ import annotations

import csv
import importlib.util
import itertools
import re
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

FOLDER = Path(__file__).resolve().parents[1] / "data" / "assistant_opinions"
CAMPS = {"autonomy", "harm_reduction", "caution", "check_in", "transparency", "mixed"}
POOL_LABELS = (CAMPS - {"mixed"}) | {"bridging", "vague"}


def _module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_demo_{name}", FOLDER / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def build() -> ModuleType:
    return _module("build")


@pytest.fixture(scope="module")
def source() -> ModuleType:
    return _module("source")


def _rows(name: str) -> list[dict[str, str]]:
    with open(FOLDER / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _readme_counts(heading: str) -> dict[str, int]:
    """``label -> count`` from the first table after ``heading`` in the README."""
    text = (FOLDER / "README.md").read_text(encoding="utf-8")
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    return {m[1]: int(m[2]) for m in re.finditer(r"^\| `(\w+)` \| (\d+) \|", section, re.M)}


def test_files_are_exactly_what_build_writes(build, tmp_path: Path) -> None:
    written = build.build(tmp_path)
    assert sorted(p.name for p in written) == sorted(build.FILES)
    for path in written:
        assert (FOLDER / path.name).read_bytes() == path.read_bytes(), path.name
    assert build.main(["--check", "--out", str(FOLDER)]) == 0


def test_check_notices_stale_files(build, tmp_path: Path) -> None:
    build.build(tmp_path)
    (tmp_path / "pool.csv").write_text("statement_id,statement,intended_camp\n")
    assert build.main(["--check", "--out", str(tmp_path)]) == 1


def test_opinions_columns_ids_and_camps() -> None:
    rows = _rows("opinions.csv")
    assert list(rows[0]) == ["participant", "opinion", "camp"]
    assert len(rows) >= 100
    ids = [r["participant"] for r in rows]
    assert ids == [f"p{i:03d}" for i in range(1, len(rows) + 1)]
    assert all(r["opinion"].strip() == r["opinion"] and r["opinion"] for r in rows)
    assert len({r["opinion"].casefold() for r in rows}) == len(rows)
    assert {r["camp"] for r in rows} == CAMPS
    # shuffled: no camp fills a long contiguous block
    assert max(len(list(g)) for _, g in itertools.groupby(r["camp"] for r in rows)) < 8


def test_pool_columns_ids_and_labels() -> None:
    rows = _rows("pool.csv")
    assert list(rows[0]) == ["statement_id", "statement", "intended_camp"]
    assert len(rows) >= 25
    assert [r["statement_id"] for r in rows] == [f"s{j:02d}" for j in range(1, len(rows) + 1)]
    assert all(r["statement"].strip() == r["statement"] and r["statement"] for r in rows)
    assert len({r["statement"].casefold() for r in rows}) == len(rows)
    assert {r["intended_camp"] for r in rows} == POOL_LABELS
    opinions = {r["opinion"].casefold() for r in _rows("opinions.csv")}
    assert not opinions & {r["statement"].casefold() for r in rows}


def test_counts_match_readme_and_source(source) -> None:
    camps = Counter(r["camp"] for r in _rows("opinions.csv"))
    assert _readme_counts("## Latent camps") == dict(camps)
    assert set(source.CAMPS) == CAMPS
    pool = Counter(r["intended_camp"] for r in _rows("pool.csv"))
    assert _readme_counts("## Statement pool") == dict(pool)
    question = (FOLDER / "question.txt").read_text(encoding="utf-8")
    assert question == source.QUESTION + "\n"
    readme = " ".join((FOLDER / "README.md").read_text(encoding="utf-8").split())
    assert " ".join(source.QUESTION.split()) in readme.replace("> ", "")
    assert "CC0 1.0" in readme


def test_files_are_utf8_lf_without_bom() -> None:
    for name in ("opinions.csv", "pool.csv", "question.txt"):
        data = (FOLDER / name).read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data, name
        data.decode("utf-8")


def _drop_pool_label(pool: list[tuple[str, str]], label: str) -> None:
    pool[:] = [item for item in pool if item[0] != label]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda o, p: o["autonomy"].append(o["caution"][0].upper()), "duplicates"),
        (lambda o, p: o.setdefault("nihilism", []).append("Nothing matters here."), "unknown"),
        (lambda o, p: o["caution"].append("   "), "empty"),
        (lambda o, p: o["caution"].append("Line one.\nLine two."), "line break"),
        (lambda o, p: o["caution"].append("One. Two. Three. Four is too many."), "sentences"),
        (lambda o, p: o["caution"].append("x" * 401), "characters"),
        (lambda o, p: p.append(("mixed", "The assistant should mix.")), "intended_camp"),
        (lambda o, p: p.append(("vague", o["mixed"][0])), "duplicates"),
        (lambda o, p: _drop_pool_label(p, "transparency"), "no statement"),
    ],
)
def test_validate_rejects_bad_source(build, source, edit, message) -> None:
    opinions = {camp: list(texts) for camp, texts in source.OPINIONS.items()}
    pool = list(source.POOL)
    build.validate(opinions, pool, source.CAMPS, source.POOL_EXTRA_LABELS)
    edit(opinions, pool)
    with pytest.raises(build.SourceError, match=message):
        build.validate(opinions, pool, source.CAMPS, source.POOL_EXTRA_LABELS)
