"""`import socialchoice` stays light: numpy and scipy only."""

import subprocess
import sys


def test_import_does_not_pull_heavy_libraries():
    code = (
        "import sys, socialchoice, socialchoice.generate, socialchoice.io; "
        "print([m for m in ('torch', 'pandas', 'streamlit', 'transformers', 'matplotlib') "
        "if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_scipy_solvers_load_on_first_use():
    """The CLI's small commands import socialchoice: its solvers load only when a rule needs
    them (Kemeny, Slater, maximal lotteries, committees), so start-up stays quick."""
    code = (
        "import sys, socialchoice as sc; before = [m for m in ('scipy.optimize', 'scipy.sparse',"
        " 'scipy.stats') if m in sys.modules]; "
        "sc.maximal_lottery([[0, 1, -1], [-1, 0, 1], [1, -1, 0]]); "
        "print(before, 'scipy.optimize' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[] True", out.stdout
