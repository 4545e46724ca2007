"""Start-up time of the ``collective`` command: help, version and a small command.

Each case runs in a fresh interpreter (``python -m collective.main ...``), as a user's shell
runs it; the table gives the best wall-clock time of a few runs and that run's CPU time
(user + system), which a busy machine inflates less. ``python -c pass`` is the floor.
Run on its own with ``python benchmarks/cli_startup.py``.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = (
    ("python -c pass (the floor)", ["-c", "pass"]),
    ("collective --help", ["-m", "collective.main", "--help"]),
    ("collective --version", ["-m", "collective.main", "--version"]),
    ("collective svo items", ["-m", "collective.main", "svo", "items"]),
    ("collective rules", ["-m", "collective.main", "rules"]),
)


def _run(args: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one run of ``python *args`` in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, check=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def cli_startup(quick: bool = False) -> list[str]:
    """The CLI start-up section: best of 3 (quick) or 7 runs per case."""
    repeat = 3 if quick else 7
    lines = [
        "### CLI start-up",
        "",
        f"Fresh interpreter per run, best wall-clock time of {repeat} runs and its CPU time. "
        "Commands import their modules (numpy, pandas, the library) only when they run.",
        "",
        "| command | wall (s) | CPU (s) |",
        "|---|---:|---:|",
    ]
    for label, args in CASES:
        wall, cpu = min(_run(args) for _ in range(repeat))
        lines.append(f"| `{label}` | {wall:.2f} | {cpu:.2f} |")
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="3 runs per case instead of 7")
    args = ap.parse_args()
    sys.stdout.write("\n".join(cli_startup(args.quick)) + "\n")


if __name__ == "__main__":
    main()
