"""``app.py``: the navigation lists each page, after the page it follows, at its address."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app.py"


def _pages() -> list[dict[str, object]]:
    """The keyword arguments of every ``st.Page(...)`` call in app.py, in order."""
    return [
        {kw.arg: ast.literal_eval(kw.value) for kw in node.keywords}
        for node in ast.walk(ast.parse(APP.read_text()))
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "Page"
    ]


@pytest.mark.parametrize(
    ("title", "after", "url_path", "icon"),
    [
        ("Slate", "Statements", "slate", ":material/format_list_bulleted:"),
        ("SVO", "Slate", "svo", ":material/balance:"),
    ],
)
def test_app_lists_the_page_after_the_one_it_follows(
    title: str, after: str, url_path: str, icon: str
) -> None:
    pages = _pages()
    titles = [p["title"] for p in pages]
    assert titles.index(title) == titles.index(after) + 1
    entry = pages[titles.index(title)]
    assert entry["url_path"] == url_path and entry["icon"] == icon
