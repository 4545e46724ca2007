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
