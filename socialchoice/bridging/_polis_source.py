"""Where a Polis export comes from, for :func:`._polis.read_polis`: a folder, a ``.zip`` (a
path, bytes or a file-like object) or a mapping of file names to contents (e.g. the files of
an upload).

:func:`open_export` returns an :class:`Export`: the conversation's name, the files present,
and each file's text and display label. Labels name the user's file (``export.zip:
comments.csv``, ``<bytes>:comments.csv`` or the ``name`` given), never a temporary path.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _common.sources import read_bytes, source_name

from .._errors import PolisError

__all__ = ["FILES", "REQUIRED", "Export", "open_export"]

REQUIRED = ("comments.csv", "participants-votes.csv")
FILES = (*REQUIRED, "votes.csv", "summary.csv")
_EXPECTED = (f"a folder holding {' and '.join(REQUIRED)} (votes.csv and summary.csv optional), "
             "a .zip of one, or a mapping of those file names to their contents")


@dataclass(frozen=True)
class Export:
    """An opened export: ``name``, the ``present`` files, ``read(file) -> text``,
    ``label(file)`` (the file as messages name it) and ``where`` (the whole export)."""

    name: str
    present: list[str]
    read: Callable[[str], str]
    label: Callable[[str], str]
    where: str


def _decode(data: bytes | str) -> str:
    return data if isinstance(data, str) else data.decode("utf-8-sig")


def _from_folder(path: Path) -> Export:
    present = sorted(p.name for p in path.iterdir())

    def read(f: str) -> str:
        with open(path / f, encoding="utf-8-sig", newline="") as fh:
            return fh.read()
    return Export(path.name, present, read, lambda f: str(path / f), str(path))


def _from_zip(data: bytes, label: str, stem: str) -> Export:
    """An export zipped flat or in one folder; a zip holding several exports is refused."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = [n for n in zf.namelist() if not n.endswith("/") and "__MACOSX" not in n]
        dirs = sorted({n.rpartition("/")[0] for n in names if n.rpartition("/")[2] in REQUIRED})
        if len(dirs) > 1:
            listed = ", ".join(repr(d + "/" if d else "(top level)") for d in dirs)
            raise PolisError(f"Polis export {label!r} holds {len(dirs)} exports ({listed}); "
                             "expected one export per file: zip each folder on its own.")
        prefix = dirs[0] + "/" if dirs and dirs[0] else ""
        present = sorted(n[len(prefix):] for n in names if n.startswith(prefix))
        files = {f: zf.read(prefix + f) for f in FILES if f in present}
    name = prefix.rstrip("/").rpartition("/")[2] or stem
    return Export(name, present, lambda f: _decode(files[f]), lambda f: f"{label}:{prefix}{f}",
                  label)


def _from_mapping(files: Mapping[Any, Any], name: str | None) -> Export:
    """Files given by name (e.g. uploads): messages name each file as given."""
    label = name or "the given files"
    texts: dict[str, bytes | str] = {}
    for key, content in files.items():
        base = Path(str(key)).name
        if not isinstance(content, bytes | bytearray | memoryview | str):
            raise PolisError(f"Polis export {label!r}: the content of {str(key)!r} must be "
                             f"bytes or text. Got {type(content).__name__} instead.")
        texts[base] = content if isinstance(content, str) else bytes(content)
    return Export(name or "upload", sorted(texts), lambda f: _decode(texts[f]), str, label)


def open_export(source: Any, name: str | None = None) -> Export:
    """Open ``source`` (see the module docstring); ``name`` overrides the display name.

    >>> sorted(open_export({"comments.csv": b"", "x.txt": b""}, "upload").present)
    ['comments.csv', 'x.txt']
    """
    if isinstance(source, Mapping):
        return _from_mapping(source, name)
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        label = name or os.fspath(source)
        if path.is_dir():
            export = _from_folder(path)
            return export if name is None else Export(name, export.present, export.read,
                                                      lambda f: f"{name}:{f}", name)
        if path.is_file() and zipfile.is_zipfile(path):
            return _from_zip(path.read_bytes(), label, Path(name or path).stem)
        what = "is not a folder or a .zip file" if path.exists() else "does not exist"
        raise PolisError(f"Polis export {label!r} {what}; expected {_EXPECTED}.")
    data, label = read_bytes(source, name=name, error=PolisError)
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise PolisError(f"Polis export {label!r} is not a .zip file ({len(data)} bytes); "
                         f"expected {_EXPECTED}.")
    stem = Path(source_name(source, name)).stem if label != "<bytes>" else "export"
    return _from_zip(data, label, stem)
