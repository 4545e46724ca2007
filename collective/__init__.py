"""The ``collective`` command: a thin typer + rich front end to the toolkit.

Each command group lives in its own module (:mod:`collective.vote`, :mod:`collective.rules`)
and :mod:`collective.main` assembles them. The commands only read input, call the library
(:mod:`socialchoice`) and format its answers; the maths lives in the library.

Examples
--------
>>> from typer.testing import CliRunner
>>> from collective.main import app
>>> CliRunner().invoke(app, ["--version"]).output.startswith("collective ")
True
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("collective-alignment")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
