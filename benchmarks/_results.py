"""Where benchmark sections are written: benchmarks/RESULTS.md and the README's copy.

A section is a list of Markdown lines starting with its ``### `` title. ``run.py`` writes a
whole report; a section module run on its own (``python benchmarks/svo_benchmark.py``) calls
:func:`write_section`, which replaces just its section. The section modules import this
module, never ``run.py`` (which imports them).
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["README", "RESULTS", "kept_sections", "splice_sections", "update_readme",
           "write_section"]

RESULTS = Path(__file__).with_name("RESULTS.md")
README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- benchmarks:start -->", "<!-- benchmarks:end -->"


def splice_sections(sections: list[list[str]]) -> None:
    """Replace the sections of RESULTS.md with the same '### ' title; append new ones."""
    text = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    blocks = text.split("\n### ")
    head, rest = blocks[0], ["### " + b for b in blocks[1:]]
    new = {s[0]: "\n".join(s).rstrip() + "\n" for s in sections}
    kept = []
    for block in rest:
        title = block.split("\n", 1)[0]
        kept.append(new.pop(title, block.rstrip() + "\n"))
    kept.extend(new.values())
    RESULTS.write_text("\n".join([head.rstrip() + "\n", *kept]))
    readme = README.read_text()
    if START in readme and END in readme:
        provenance = readme.split(START, 1)[1].split("\n")[1]
        update_readme(provenance, "\n".join(kept))


def kept_sections(titles: set[str], text: str | None = None) -> list[str]:
    r"""The sections of RESULTS.md (or of ``text``) whose titles are not in ``titles``, in
    their order: what a whole run keeps of the opt-in sections it does not run (the 10
    million judgment Dask run, DPO, the model's value cards), so they are not lost.

    >>> old = "# Benchmark results\n\n### A\nold a\n\n### Opt-in\nkept\n"
    >>> kept_sections({"### A"}, old)
    ['### Opt-in\nkept\n']
    """
    if text is None:
        text = RESULTS.read_text() if RESULTS.exists() else ""
    blocks = ["### " + b for b in text.split("\n### ")[1:]]
    return [b.rstrip() + "\n" for b in blocks if b.split("\n", 1)[0] not in titles]


def write_section(section: list[str]) -> None:
    """A section run on its own: splice it into RESULTS.md (and the README), print it."""
    splice_sections([section])
    sys.stdout.write("\n".join(section) + "\n")


def update_readme(provenance: str, body: str) -> None:
    """Replace the README's benchmark section (between the markers) with this run's tables."""
    readme = README.read_text()
    if START not in readme or END not in readme:
        return
    before, rest = readme.split(START, 1)
    _, after = rest.split(END, 1)
    # RESULTS.md sits in benchmarks/: its links up to the repository root start with "../".
    body = body.replace("](../", "](")
    section = f"{START}\n{provenance}\n\n{body.replace('### ', '#### ').rstrip()}\n{END}"
    README.write_text(before + section + after)
