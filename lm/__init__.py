"""Local and HTTP language-model and embedding back-ends shared by every package.

The back-ends arrive with the lm issue; torch and transformers are imported lazily, never at
``import lm``. See DESIGN.md §3–§4. This package is part of the fixed layout.
"""
