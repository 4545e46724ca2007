"""Writing PrefLib ordinal files (private; the format and public API are documented in
:mod:`socialchoice.io`).

This module works on any object with a profile's attributes (``ranks``, ``counts``,
``candidates``, ``metadata``...) and imports nothing of :mod:`socialchoice.profile`, so
:meth:`Profile.to_preflib <socialchoice.Profile.to_preflib>` can call it without a cycle:
``profile -> _preflib_write``, ``_preflib (reader) -> profile``.
"""

from __future__ import annotations

import re
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from ._errors import PrefLibError

__all__ = ["PREFLIB_TYPES", "format_preflib", "write_preflib"]

#: The PrefLib ordinal data types this package reads and writes.
PREFLIB_TYPES = ("soc", "soi", "toc", "toi")
TEXT_KEYS = ("file_name", "title", "description", "data_type", "modification_type",
             "relates_to", "related_files", "publication_date", "modification_date")
NUMBER_KEYS = ("number_alternatives", "number_voters", "number_unique_orders")
_PROFILE_ATTRIBUTES = ("ranks", "counts", "candidates", "metadata", "num_candidates", "ballots")


def field_key(header: object) -> str:
    """A header field's snake-case key: ``'NUMBER VOTERS'`` -> ``'number_voters'``."""
    return re.sub(r"\s+", "_", str(header).strip()).lower()


def _header(key: str) -> str:
    return key.replace("_", " ").upper()


def infer_type(ranked: np.ndarray, ranks: np.ndarray) -> str:
    """The most restrictive data type (soc, soi, toc, toi) that fits the ranks."""
    n_ranked = ranked.sum(axis=1)
    top = np.where(ranked, ranks, -1).max(axis=1)
    strict = bool(np.all(top + 1 == n_ranked))
    complete = bool(ranked.all())
    return ("s" if strict else "t") + "o" + ("c" if complete else "i")



# ---------------------------------------------------------------------------- PrefLib write
def write_preflib(profile: Any, path: str | PathLike[str], **metadata: Any) -> Path:
    """Write a profile as a PrefLib ordinal file.

    Parameters
    ----------
    profile : Profile
        Counts must be integers.
    path : path-like
        Target file. Its extension, when ``.soc``/``.soi``/``.toc``/``.toi``, is the data
        type (it must fit the ballots); with no extension the chosen type is appended.
    **metadata
        Header fields overriding ``profile.metadata``, by snake-case name: ``title=``,
        ``description=``, ``data_type=``, ``alternative_names=``... (see
        :func:`format_preflib`). ``FILE NAME`` defaults to the file's name.

    Returns
    -------
    pathlib.Path
        The path written.

    References
    ----------
    .. [1] N. Mattei and T. Walsh, "PrefLib: A Library for Preferences", ADT 2013, §2.

    Examples
    --------
    >>> import tempfile
    >>> from socialchoice import Profile, read_preflib, write_preflib
    >>> p = Profile([["a", ("b", "c")], ["c"]], counts=[2, 1])
    >>> with tempfile.TemporaryDirectory() as d:
    ...     path = write_preflib(p, f"{d}/ties", title="A tiny election")
    ...     q = read_preflib(path)
    >>> path.name, q == p, q.metadata["title"]
    ('ties.toi', True, 'A tiny election')
    """
    path = Path(path)
    ext = path.suffix[1:].lower()
    given = metadata.get("data_type")
    if ext in PREFLIB_TYPES:
        if given is not None and given != ext:
            raise PrefLibError(f"data_type={given!r} but the file extension is '.{ext}'; "
                               "expected them to agree.")
        metadata["data_type"] = ext
    elif not path.suffix:
        dtype = _choose_type(profile, {**profile.metadata, **metadata}, given)
        path = path.with_name(f"{path.name}.{dtype}")
        metadata["data_type"] = dtype
    if "file_name" not in metadata and "file_name" not in profile.metadata:
        metadata["file_name"] = path.name
    text = format_preflib(profile, **metadata)
    path.write_text(text, encoding="utf-8", newline="\n")
    return path


def _choose_type(profile: Any, md: dict, given: str | None) -> str:
    m = profile.num_candidates
    r = profile.ranks
    ranked = r < m
    n_ranked = ranked.sum(axis=1)
    strict = np.where(ranked, r, -1).max(axis=1) + 1 == n_ranked
    fits = {"soc": bool(np.all(strict & (n_ranked >= m - 1))), "soi": bool(strict.all()),
            "toc": True, "toi": True}
    if given is not None:
        if given not in PREFLIB_TYPES:
            raise PrefLibError(f"data_type={given!r}; expected one of {', '.join(PREFLIB_TYPES)}.")
        if not fits[given]:
            wrong = ~strict | (n_ranked < m - 1) if given == "soc" else ~strict
            bad = int(np.flatnonzero(wrong)[0])
            raise PrefLibError(f"Cannot write as {given}: ballot {bad} "
                               f"({profile.ballots[bad]!r}) has ties or is incomplete; expected "
                               f"{'strict complete' if given == 'soc' else 'strict'} orders.")
        return given
    old = md.get("data_type")
    # keep a parsed file's type while it still fits (e.g. a toi file holding strict orders)
    return old if old in PREFLIB_TYPES and fits[old] else infer_type(ranked, r)


def _alternative_ids(profile: Any, names: Any) -> tuple[list[int], dict[int, str]]:
    cands = profile.candidates
    if isinstance(names, dict) and names:
        if len(set(names.values())) == len(names):
            by_name = {v: k for k, v in names.items()}
            if all(isinstance(c, str) and c in by_name for c in cands):
                ids = [int(by_name[c]) for c in cands]
                return ids, {i: str(names[i]) for i in ids}
        if all(isinstance(c, int) and c in names for c in cands):
            return list(cands), {c: str(names[c]) for c in cands}
    if all(isinstance(c, (int, np.integer)) and not isinstance(c, bool) and c >= 0 for c in cands):
        ids = [int(c) for c in cands]
        return ids, {i: str(i) for i in ids}
    ids = list(range(1, len(cands) + 1))
    out = {i: str(c) for i, c in zip(ids, cands, strict=True)}
    if len(set(out.values())) != len(out):
        raise PrefLibError("Two candidate labels have the same text; expected distinct "
                           "alternative names.")
    return ids, out


def format_preflib(profile: Any, **metadata: Any) -> str:
    """The text of a PrefLib ordinal file for a profile.

    Parameters
    ----------
    profile : Profile
        Counts must be integers.
    **metadata
        Header fields by snake-case name, overriding ``profile.metadata``: the standard
        ``file_name, title, description, data_type, modification_type, relates_to,
        related_files, publication_date, modification_date``, any extra field (written as
        ``# EXTRA FIELD: value``) and ``alternative_names`` (number → name). ``data_type``
        must fit the ballots (``soc``/``toc`` complete a truncated ballot with its unranked
        candidates last); by default it is the most restrictive one that fits. The
        ``number_*`` fields are computed.

    Returns
    -------
    str

    References
    ----------
    .. [1] N. Mattei and T. Walsh, "PrefLib: A Library for Preferences", ADT 2013, §2.

    Examples
    --------
    >>> from socialchoice import Profile
    >>> from socialchoice.io import format_preflib
    >>> print(format_preflib(Profile([[0, 1, 2], [2, (0, 1)]], counts=[3, 1]), title="demo"))
    # FILE NAME:
    # TITLE: demo
    # DESCRIPTION:
    # DATA TYPE: toc
    # MODIFICATION TYPE:
    # RELATES TO:
    # RELATED FILES:
    # PUBLICATION DATE:
    # MODIFICATION DATE:
    # NUMBER ALTERNATIVES: 3
    # NUMBER VOTERS: 4
    # NUMBER UNIQUE ORDERS: 2
    # ALTERNATIVE NAME 0: 0
    # ALTERNATIVE NAME 1: 1
    # ALTERNATIVE NAME 2: 2
    3: 0,1,2
    1: 2,{0,1}
    <BLANKLINE>
    """
    if not all(hasattr(profile, a) for a in _PROFILE_ATTRIBUTES):
        raise PrefLibError(f"Expected a Profile; got {type(profile).__name__}.")
    given = {field_key(k): v for k, v in metadata.items()}
    md = {**{field_key(k): v for k, v in profile.metadata.items()}, **given}
    counts = profile.counts
    if not np.issubdtype(counts.dtype, np.integer):
        raise PrefLibError("PrefLib counts are integers, but the profile has fractional "
                           "weights; expected integer counts.")
    dtype = _choose_type(profile, md, given.get("data_type"))
    ids, names = _alternative_ids(profile, md.get("alternative_names"))
    computed = {"number_alternatives": profile.num_candidates,
                "number_voters": profile.num_voters, "number_unique_orders": len(profile)}
    for key, value in computed.items():
        if key in given and given[key] != value:
            raise PrefLibError(f"{key}={given[key]!r} was given but the profile has {value}.")
    md.update(computed, data_type=dtype)
    lines = [*_header_lines(md, ids, names), *_order_lines(profile, ids, dtype)]
    return "\n".join(lines) + "\n"


def _header_lines(md: dict[str, Any], ids: list[int], names: dict[int, str]) -> list[str]:
    """The ``#`` lines: standard fields, extra fields, comments, alternative names."""
    out = []
    special = (*TEXT_KEYS, *NUMBER_KEYS, "alternative_names", "comments")
    extra = [k for k in md if k not in special]
    for key in (*TEXT_KEYS, *NUMBER_KEYS, *extra):
        value = "" if md.get(key) is None else str(md.get(key, ""))
        if "\n" in value or "\r" in value:
            raise PrefLibError(f"Metadata field {key!r} contains a line break; expected one line.")
        out.append(f"# {_header(key)}: {value}".rstrip())
    out += [f"# {c}".rstrip() for c in md.get("comments", ())]
    for i in sorted(ids):
        if "\n" in names[i] or names[i] != names[i].strip():
            raise PrefLibError(f"Alternative name {names[i]!r} has a line break or surrounding "
                               "spaces; PrefLib names are one stripped line.")
        out.append(f"# ALTERNATIVE NAME {i}: {names[i]}".rstrip())
    return out


def _order_lines(profile: Any, ids: list[int], dtype: str) -> list[str]:
    """One ``count: order`` line per distinct ballot, tied alternatives in ascending order."""
    out = []
    m = profile.num_candidates
    fill = dtype in ("soc", "toc")  # unranked candidates become the last tier
    for row, count in zip(profile.ranks.tolist(), profile.counts.tolist(), strict=True):
        tiers: dict[int, list[int]] = {}
        for j, pos in enumerate(row):
            if pos < m or fill:
                tiers.setdefault(pos, []).append(ids[j])
        items = [sorted(tiers[pos]) for pos in sorted(tiers)]
        text = ",".join(str(t[0]) if len(t) == 1 else "{" + ",".join(map(str, t)) + "}"
                        for t in items)
        out.append(f"{count}: {text}".rstrip())
    return out
