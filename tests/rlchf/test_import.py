"""``import rlchf`` stays light: pandas, torch and datasets load on first use only."""

from __future__ import annotations

import json
import subprocess
import sys


def _loaded_after(code: str) -> list[str]:
    probe = (f"import json, sys; {code}; "
             "print(json.dumps([m for m in ('pandas', 'torch', 'datasets', 'transformers') "
             "if m in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout)


def test_import_rlchf_loads_neither_pandas_nor_torch():
    assert _loaded_after("import rlchf") == []


def test_errors_import_without_pandas():
    assert _loaded_after("from rlchf import RLCHFError, PreferenceDataError, ModelError") == []


def test_lazy_name_loads_on_first_use():
    assert "pandas" in _loaded_after("import rlchf; rlchf.PreferenceData")


def test_unknown_attribute_is_attribute_error():
    import pytest

    import rlchf

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = rlchf.nope
