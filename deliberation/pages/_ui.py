"""Small display helpers shared by the app's pages."""

from __future__ import annotations

import re

__all__ = ["md_escape"]

_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}()<>#|~$:!+\-.=^])")


def md_escape(text: object) -> str:
    r"""``text`` with every Markdown, LaTeX and emoji-shortcode character backslash-escaped.

    Streamlit renders the body of ``st.error``, ``st.success``, ``st.markdown`` ... as
    Markdown (with ``$...$`` as maths and ``:name:`` as icons); user-supplied text (labels,
    file names, the library's messages quoting them) goes through this first so it is shown
    literally.

    Examples
    --------
    >>> md_escape("**a** <b> $x$")
    '\\*\\*a\\*\\* \\<b\\> \\$x\\$'
    """
    return _MD_SPECIAL.sub(r"\\\1", str(text))
