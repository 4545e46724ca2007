"""What every ``read_*`` function accepts: a path, a file-like object or bytes.

:func:`read_bytes` turns any of them into the file's bytes and the name to use in messages —
the user's file name, never a server's temporary path.

>>> read_bytes(b"a,b\\n1,2\\n")
(b'a,b\\n1,2\\n', '<bytes>')
>>> import io
>>> read_bytes(io.StringIO("x"), name="ballots.csv")
(b'x', 'ballots.csv')
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any

__all__ = ["Source", "read_bytes", "read_text", "source_name"]

Source = str | os.PathLike[str] | bytes | bytearray | memoryview | IO[Any]


def source_name(source: Any, name: str | None = None) -> str:
    """The name messages use for ``source``: ``name`` if given, a path's file name as the
    user gave it, a file object's ``name`` attribute (its base name), else ``'<bytes>'`` or
    ``'<stream>'``.

    >>> source_name("data/ballots.csv"), source_name(b""), source_name(b"", "upload.csv")
    ('data/ballots.csv', '<bytes>', 'upload.csv')
    """
    if name is not None:
        return str(name)
    if isinstance(source, str | os.PathLike):
        return os.fspath(source)
    if isinstance(source, bytes | bytearray | memoryview):
        return "<bytes>"
    attr = getattr(source, "name", None)
    if isinstance(attr, str) and attr:
        return Path(attr).name
    return "<stream>"


def read_bytes(
    source: Source, *, name: str | None = None, error: type[Exception] = ValueError
) -> tuple[bytes, str]:
    """The bytes of ``source`` and its display name (see :func:`source_name`).

    A missing file raises ``error`` naming it; text streams are encoded as UTF-8.
    """
    label = source_name(source, name)
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source), label
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        if not path.is_file():
            raise error(f"{label}: no such file.")
        return path.read_bytes(), label
    read = getattr(source, "read", None)
    if read is None:
        raise error(
            "The source must be a path, a file-like object or bytes. "
            f"Got {type(source).__name__} instead."
        )
    data = read()
    if isinstance(data, str):
        data = data.encode("utf-8")
    return bytes(data), label


def read_text(
    source: Source, *, name: str | None = None, error: type[Exception] = ValueError
) -> tuple[str, str]:
    """The text of ``source`` (UTF-8, a byte-order mark dropped) and its display name.

    >>> read_text(b"\\xef\\xbb\\xbfa,b")
    ('a,b', '<bytes>')
    """
    data, label = read_bytes(source, name=name, error=error)
    try:
        return data.decode("utf-8-sig"), label
    except UnicodeDecodeError as exc:
        raise error(
            f"{label}: byte {exc.start} is not UTF-8 text; save the file as UTF-8."
        ) from None
