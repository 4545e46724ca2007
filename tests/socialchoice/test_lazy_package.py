"""``import socialchoice`` loads the ranked rules only; the rest is imported on first use."""

from __future__ import annotations

import subprocess
import sys

import pytest

LAZY = ("socialchoice.bridging", "socialchoice.committee", "socialchoice.generate")


def _run(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_import_loads_no_subpackage_and_fills_the_rules() -> None:
    out = _run(
        "import sys, socialchoice as sc; "
        f"print([m for m in {LAZY!r} if m in sys.modules], len(sc.RULES) > 0)"
    )
    assert out == "[] True"


@pytest.mark.parametrize(
    ("expression", "loaded"),
    [
        ("sc.committee.select([[1, 0], [0, 1]], 1, 'pav')", "socialchoice.committee"),
        ("sc.bridging.group_aware_consensus", "socialchoice.bridging"),
        ("sc.read_polis", "socialchoice.bridging"),
        ("sc.generate.impartial_culture", "socialchoice.generate"),
    ],
)
def test_first_use_imports_the_subpackage(expression: str, loaded: str) -> None:
    out = _run(f"import sys, socialchoice as sc; {expression}; print({loaded!r} in sys.modules)")
    assert out == "True"


def test_lazy_names_are_the_real_objects() -> None:
    import socialchoice as sc
    from socialchoice import bridging, committee, generate, read_polis

    assert sc.bridging is bridging and sc.committee is committee and sc.generate is generate
    assert read_polis is bridging.read_polis is sc.read_polis
    assert {"bridging", "committee", "generate", "read_polis"} <= set(dir(sc))
    assert {"bridging", "committee", "read_polis"} <= set(sc.__all__)


def test_star_import_and_unknown_names() -> None:
    namespace: dict = {}
    exec("from socialchoice import *", namespace)
    assert namespace["committee"].__name__ == "socialchoice.committee"
    import socialchoice as sc

    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        _ = sc.no_such_name
