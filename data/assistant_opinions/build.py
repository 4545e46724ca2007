"""Build the ``assistant_opinions`` demo data set from its source text (``source.py``).

Usage (from the repository root; needs only the Python standard library)::

    python data/assistant_opinions/build.py            # validate source.py, write the CSVs here
    python data/assistant_opinions/build.py --check    # exit 1 if the CSVs here are out of date
    python data/assistant_opinions/build.py --out DIR  # write into another folder

What it does, deterministically:

1. loads ``source.py`` (next to this file) and validates it: known camp labels, no empty or
   padded text, no line breaks or control characters, sane lengths (opinions 10--400
   characters and at most three sentences, pool statements 15--220 characters and at most
   two), no duplicates (compared case- and punctuation-insensitively, across camps), no pool
   statement copied from an opinion, every camp covered by the pool, at least 100 opinions
   and 25 pool statements. A problem raises :class:`SourceError` naming the camp, the
   position in ``source.py`` and the text.
2. orders the opinions and the pool statements by a keyed hash (SHA-256 of ``SEED``, the
   label and the text), so camps are not contiguous, the order does not depend on any
   library's random number generator, and editing one text moves only that row;
3. numbers them in that order (``p001``, ``p002``, ... and ``s01``, ``s02``, ...) and writes
   ``opinions.csv`` (participant, opinion, camp), ``pool.csv`` (statement_id, statement,
   intended_camp) and ``question.txt``: UTF-8 without BOM, LF line endings, minimal quoting.

Licence of the data and of this script: CC0 1.0 (see README.md).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import importlib.util
import io
import logging
import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
SEED = "assistant-opinions-v1"
FILES = ("opinions.csv", "pool.csv", "question.txt")

MIN_OPINIONS = 100
MIN_POOL = 25
OPINION_CHARS = (10, 400)
OPINION_SENTENCES = 3
POOL_CHARS = (15, 220)
POOL_SENTENCES = 2

log = logging.getLogger("assistant_opinions.build")

_SENTENCE_END = re.compile(r"[.!?]+['\")]*(?:\s+|$)")
_BAD_CHARS = re.compile(r"[\x00-\x1f\x7f]")


class SourceError(ValueError):
    """The source text breaks one of the rules checked by :func:`validate`."""


def load_source(path: Path = HERE / "source.py") -> ModuleType:
    """Import ``source.py`` by path (the data folder is not a Python package)."""
    spec = importlib.util.spec_from_file_location("assistant_opinions_source", path)
    if spec is None or spec.loader is None:
        raise SourceError(f"Cannot import the source file {path}.")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def count_sentences(text: str) -> int:
    """Number of sentences in ``text``: runs of ``.``, ``!`` or ``?`` ending a sentence.

    A final sentence without closing punctuation counts too.
    """
    pieces = [p for p in _SENTENCE_END.split(text) if p.strip()]
    return len(pieces)


def _normalise(text: str) -> str:
    """Case-, punctuation- and spacing-insensitive form used to find duplicates."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def _check_text(text: object, where: str, chars: tuple[int, int], max_sentences: int) -> str:
    if not isinstance(text, str):
        raise SourceError(f"{where} must be a str. Got {type(text).__name__} instead.")
    if not text.strip():
        raise SourceError(f"{where} is empty. Expected 1 to {max_sentences} sentences of text.")
    if text != text.strip() or "  " in text:
        raise SourceError(
            f"{where} has leading, trailing or doubled spaces. Got {text!r}; expected the "
            "text trimmed with single spaces."
        )
    if _BAD_CHARS.search(text):
        raise SourceError(
            f"{where} contains a line break, tab or control character. Got {text!r}; "
            "expected one line of text."
        )
    lo, hi = chars
    if not lo <= len(text) <= hi:
        raise SourceError(
            f"{where} is {len(text)} characters long. Expected {lo} to {hi}. Text: {text!r}"
        )
    n = count_sentences(text)
    if n > max_sentences:
        raise SourceError(
            f"{where} has {n} sentences. Expected at most {max_sentences}. Text: {text!r}"
        )
    return text


def validate(
    opinions: dict[str, list[str]],
    pool: Sequence[tuple[str, str]],
    camps: dict[str, str],
    pool_extra_labels: dict[str, str],
) -> None:
    """Check the source text; raise :class:`SourceError` on the first problem found.

    ``opinions`` maps a camp label to its opinions, ``pool`` lists ``(intended_camp,
    statement)`` pairs, ``camps`` and ``pool_extra_labels`` are the documented labels. The
    participant camp ``"mixed"`` has no pool statements of its own; the pool may use every
    other camp plus the extra labels, and must cover every camp but ``"mixed"``.
    """
    unknown = sorted(set(opinions) - set(camps))
    if unknown:
        raise SourceError(
            f"OPINIONS uses unknown camp labels {unknown}. Expected labels from CAMPS: "
            f"{sorted(camps)}."
        )
    empty = sorted(c for c in camps if not opinions.get(c))
    if empty:
        raise SourceError(f"The camps {empty} have no opinions. Every camp in CAMPS needs some.")
    pool_labels = (set(camps) - {"mixed"}) | set(pool_extra_labels)
    seen: dict[str, str] = {}

    def _unique(text: str, where: str) -> None:
        key = _normalise(text)
        if key in seen:
            raise SourceError(f"{where} duplicates {seen[key]}: {text!r}.")
        seen[key] = where

    total = 0
    for camp, texts in opinions.items():
        for i, text in enumerate(texts):
            where = f"Opinion {i} of camp {camp!r}"
            _unique(_check_text(text, where, OPINION_CHARS, OPINION_SENTENCES), where)
            total += 1
    if total < MIN_OPINIONS:
        raise SourceError(f"OPINIONS has {total} opinions. Expected at least {MIN_OPINIONS}.")
    for j, item in enumerate(pool):
        if not (isinstance(item, tuple) and len(item) == 2):
            raise SourceError(
                f"POOL entry {j} must be a (intended_camp, statement) tuple. Got {item!r}."
            )
        label, text = item
        if label not in pool_labels:
            raise SourceError(
                f"POOL entry {j} has intended_camp {label!r}. Expected one of "
                f"{sorted(pool_labels)}."
            )
        where = f"POOL entry {j} ({label!r})"
        _unique(_check_text(text, where, POOL_CHARS, POOL_SENTENCES), where)
    if len(pool) < MIN_POOL:
        raise SourceError(f"POOL has {len(pool)} statements. Expected at least {MIN_POOL}.")
    uncovered = sorted(pool_labels - {label for label, _ in pool})
    if uncovered:
        raise SourceError(f"POOL has no statement for the labels {uncovered}.")


def _order(items: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Deterministic pseudo-random order of ``(label, text)`` pairs: sort by a keyed hash."""

    def key(item: tuple[str, str]) -> str:
        return hashlib.sha256(f"{SEED}\0{item[0]}\0{item[1]}".encode()).hexdigest()

    return sorted(items, key=key)


def _csv(header: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def render(source: ModuleType) -> dict[str, bytes]:
    """Validate ``source`` and return the bytes of every generated file, by file name."""
    validate(source.OPINIONS, source.POOL, source.CAMPS, source.POOL_EXTRA_LABELS)
    opinions = _order([(camp, text) for camp, texts in source.OPINIONS.items() for text in texts])
    pool = _order(list(source.POOL))
    width = len(str(len(opinions)))
    return {
        "opinions.csv": _csv(
            ["participant", "opinion", "camp"],
            [(f"p{i:0{max(3, width)}d}", text, camp) for i, (camp, text) in enumerate(opinions, 1)],
        ),
        "pool.csv": _csv(
            ["statement_id", "statement", "intended_camp"],
            [(f"s{j:02d}", text, label) for j, (label, text) in enumerate(pool, 1)],
        ),
        "question.txt": (source.QUESTION.strip() + "\n").encode("utf-8"),
    }


def build(out: Path = HERE, source_path: Path = HERE / "source.py") -> list[Path]:
    """Validate ``source_path`` and write the generated files into ``out``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in render(load_source(source_path)).items():
        path = out / name
        path.write_bytes(data)
        paths.append(path)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default: here)")
    parser.add_argument(
        "--check", action="store_true", help="do not write; fail if the files in --out differ"
    )
    args = parser.parse_args(argv)
    try:
        if args.check:
            with tempfile.TemporaryDirectory() as tmp:
                fresh = build(Path(tmp))
                stale = [
                    p.name
                    for p in fresh
                    if not (args.out / p.name).is_file()
                    or (args.out / p.name).read_bytes() != p.read_bytes()
                ]
            if stale:
                log.error("Out of date in %s: %s. Run build.py.", args.out, ", ".join(stale))
                return 1
            log.info("Up to date: %s", ", ".join(FILES))
            return 0
        for path in build(args.out):
            log.info("wrote %s", path)
    except SourceError as err:
        log.error("source.py: %s", err)
        return 2
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    sys.exit(main())
