"""PrefLib ordinal files (private; the format and public API are documented in
:mod:`socialchoice.io`).
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from ._errors import PrefLibError
from .profile import Profile

__all__ = ["PREFLIB_TYPES", "format_preflib", "parse_preflib", "read_preflib", "write_preflib"]

#: The PrefLib ordinal data types this module reads and writes.
PREFLIB_TYPES = ("soc", "soi", "toc", "toi")
_TEXT_KEYS = ("file_name", "title", "description", "data_type", "modification_type",
              "relates_to", "related_files", "publication_date", "modification_date")
_NUMBER_KEYS = ("number_alternatives", "number_voters", "number_unique_orders")
_ITEM = r"(?:[0-9]+|\{\s*[0-9]+(?:\s*,\s*[0-9]+)*\s*\})"
_ORDER = re.compile(rf"\s*(?:{_ITEM}(?:\s*,\s*{_ITEM})*)?\s*")
_NUM = re.compile(r"[0-9]+")
_TOKEN = re.compile(r"\{[^}]*\}|[0-9]+")
_ALT_NAME = re.compile(r"ALTERNATIVE\s+NAME\s+(\S+)", re.I)


def _key(header: object) -> str:
    return re.sub(r"\s+", "_", str(header).strip()).lower()


def _header(key: str) -> str:
    return key.replace("_", " ").upper()


def _extension(source: str) -> str | None:
    ext = Path(str(source)).suffix[1:].lower()
    return ext if ext in PREFLIB_TYPES else None


def _is_path(source: str) -> bool:
    return not (source.startswith("<") and source.endswith(">"))


# ---------------------------------------------------------------------------- PrefLib read
def read_preflib(path: str | PathLike[str]) -> Profile:
    """Read a PrefLib ordinal file (``.soc``, ``.soi``, ``.toc`` or ``.toi``).

    Parameters
    ----------
    path : path-like
        The file (UTF-8).

    Returns
    -------
    Profile
        Labels are the alternative names (see the module notes); the header is in
        ``profile.metadata``.

    Raises
    ------
    PrefLibError
        The file is malformed; the message names the file and line and what was expected.

    References
    ----------
    .. [1] N. Mattei and T. Walsh, "PrefLib: A Library for Preferences", ADT 2013, §2.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from socialchoice import Profile, read_preflib, write_preflib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     path = write_preflib(Profile([["x", "y"], ["y", "x"]], counts=[2, 1]), f"{d}/e")
    ...     p = read_preflib(path)
    >>> path.name, p.candidates, p.num_voters, p.metadata["data_type"]
    ('e.soc', ('x', 'y'), 3, 'soc')
    """
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PrefLibError(
            f"{path}: byte {exc.start} is not UTF-8 ({exc.reason}); expected a UTF-8 text file."
        ) from None
    return parse_preflib(text, source=str(path))


def parse_preflib(text: str, *, source: str = "<string>") -> Profile:
    """Parse the text of a PrefLib ordinal file.

    Parameters
    ----------
    text : str
        The file's content.
    source : str, optional
        Its name, used in error messages; an extension ``.soc``/``.soi``/``.toc``/``.toi``
        fixes the data type the orders are checked against.

    Returns
    -------
    Profile

    Raises
    ------
    PrefLibError
        Malformed header or order line (the message names ``source`` and the line).

    References
    ----------
    .. [1] N. Mattei and T. Walsh, "PrefLib: A Library for Preferences", ADT 2013, §2.

    Examples
    --------
    >>> from socialchoice.io import parse_preflib
    >>> p = parse_preflib('''# DATA TYPE: toi
    ... # NUMBER ALTERNATIVES: 3
    ... # ALTERNATIVE NAME 1: a
    ... # ALTERNATIVE NAME 2: b
    ... # ALTERNATIVE NAME 3: c
    ... 2: 1,{2,3}
    ... 1: 3''')
    >>> p.ballots, p.metadata["number_voters"]
    ([('a', ('b', 'c')), ('c',)], 3)
    >>> parse_preflib("# NUMBER ALTERNATIVES: 2\\n1: 1,3", source="x.soi")
    Traceback (most recent call last):
    ...
    socialchoice._errors.PrefLibError: x.soi, line 2: alternative 3 is ...; expected one of 1..2.
    """

    def fail(line: int, msg: str) -> PrefLibError:
        return PrefLibError(f"{source}, line {line}: {msg}")

    lines = text.splitlines()
    md, where, names, start = _read_header(lines, fail)
    ext = _extension(source)
    dtype = str(md.get("data_type", "")).lower() or None
    if dtype is not None and dtype not in PREFLIB_TYPES:
        raise fail(where["data_type"], f"DATA TYPE is {dtype!r}; expected one of the ordinal "
                   f"types {', '.join(PREFLIB_TYPES)}.")
    if ext and dtype and ext != dtype:
        raise fail(where["data_type"], f"DATA TYPE is {dtype!r} but the file extension is "
                   f"'.{ext}'; expected them to agree.")
    dtype = ext or dtype

    orders = _read_orders(lines, start, fail)
    if not orders:
        raise fail(len(lines), "no preference lines; expected at least one 'count: order' line.")

    # the alternatives
    m_line = where.get("number_alternatives", 1)
    if names:
        ids = sorted(names)
        if "number_alternatives" in md and md["number_alternatives"] != len(ids):
            raise fail(m_line, f"NUMBER ALTERNATIVES is {md['number_alternatives']} but "
                       f"{len(ids)} ALTERNATIVE NAME lines are given; expected them to agree.")
    elif "number_alternatives" in md:
        ids = list(range(1, md["number_alternatives"] + 1))
    else:
        ids = sorted({a for _, _, tiers in orders for t in tiers for a in t})
    if not ids:
        raise fail(m_line, "the file has no alternatives; expected at least one.")
    col = {a: j for j, a in enumerate(ids)}
    m = len(ids)
    span = f"{ids[0]}..{ids[-1]}" if ids == list(range(ids[0], ids[-1] + 1)) else str(ids)
    ranks = np.full((len(orders), m), -1, dtype=np.int32)
    counts = np.empty(len(orders), dtype=np.int64)
    for k, (ln, count, tiers) in enumerate(orders):
        row = [-1] * m
        for pos, tier in enumerate(tiers):
            for a in tier:
                j = col.get(a)
                if j is None:
                    raise fail(ln, f"alternative {a} is not one of the file's alternatives; "
                               f"expected one of {span}.")
                if row[j] >= 0:
                    raise fail(ln, f"alternative {a} is listed twice; expected each "
                               "alternative at most once per order.")
                row[j] = pos
        listed = sum(map(len, tiers))
        if dtype in ("soc", "soi") and listed != len(tiers):
            raise fail(ln, f"this order has tied alternatives; expected a strict order, as a "
                       f"{dtype} file holds.")
        if dtype in ("soc", "toc") and listed != m:
            raise fail(ln, f"this order lists {listed} of the {m} alternatives; expected all "
                       f"of them, as a {dtype} file holds complete orders.")
        ranks[k] = row
        counts[k] = count
    total = int(counts.sum())
    if "number_voters" in md and md["number_voters"] != total:
        raise fail(where["number_voters"], f"NUMBER VOTERS is {md['number_voters']} but the "
                   f"counts of the preference lines sum to {total}; expected them to agree.")
    if "number_unique_orders" in md and md["number_unique_orders"] != len(orders):
        raise fail(where["number_unique_orders"], f"NUMBER UNIQUE ORDERS is "
                   f"{md['number_unique_orders']} but the file has {len(orders)} preference "
                   "lines; expected them to agree.")
    if total == 0:
        raise fail(orders[0][0], "every count is 0; expected at least one voter.")

    # normalised metadata: every standard field present
    if dtype is None:
        dtype = _infer_type(ranks >= 0, ranks)
    all_names = names or {a: str(a) for a in ids}
    for key in _TEXT_KEYS:
        md.setdefault(key, Path(source).name if key == "file_name" and _is_path(source) else "")
    md["data_type"] = dtype
    md.setdefault("number_alternatives", m)
    md.setdefault("number_voters", total)
    md.setdefault("number_unique_orders", len(orders))
    md["alternative_names"] = all_names
    labels: list[Hashable] = list(ids)
    if (names and len(set(names.values())) == m
            and any(names[a] != str(a) for a in ids)):
        labels = [names[a] for a in ids]
    return Profile.from_ranks(ranks, candidates=labels, counts=counts, metadata=md)


def _read_header(lines: list[str], fail: Any) -> tuple[dict, dict, dict, int]:
    """The ``#`` lines: metadata, the line of each field, alternative names, first data line."""
    md: dict[str, Any] = {}
    where: dict[str, int] = {}
    names: dict[int, str] = {}
    comments: list[str] = []
    start = len(lines)
    for i, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            continue
        if not line.startswith("#"):
            start = i
            break
        body = line[1:].strip()
        head, sep, value = body.partition(":")
        alt = _ALT_NAME.fullmatch(head.strip())
        if not sep or not head.strip():
            comments.append(body)
        elif alt:
            if not _NUM.fullmatch(alt.group(1)):
                raise fail(i + 1, f"ALTERNATIVE NAME {alt.group(1)!r}: expected a "
                           "non-negative alternative number before ':'.")
            num = int(alt.group(1))
            if num in names:
                raise fail(i + 1, f"ALTERNATIVE NAME {num} is given twice (first on line "
                           f"{where[f'alt{num}']}); expected one name per alternative.")
            names[num], where[f"alt{num}"] = value.strip(), i + 1
            md.setdefault("alternative_names", names)
        else:
            key = _key(head)
            if key in ("alternative_names", "comments"):
                raise fail(i + 1, f"{head.strip()} is a reserved field name; expected "
                           "'ALTERNATIVE NAME <number>: <name>' lines.")
            if key in where:
                raise fail(i + 1, f"{head.strip()} is given twice (first on line "
                           f"{where[key]}); expected each field once.")
            value = value.strip()
            if key in _NUMBER_KEYS:
                if not _NUM.fullmatch(value):
                    raise fail(i + 1, f"{head.strip()} is {value!r}; expected a "
                               "non-negative integer.")
                value = int(value)
            md[key], where[key] = value, i + 1
    if comments:
        md["comments"] = comments
    return md, where, names, start


def _read_orders(lines: list[str], start: int, fail: Any) -> list[tuple[int, int, list]]:
    """``(line number, count, tiers of alternative numbers)`` for each preference line."""
    orders: list[tuple[int, int, list[list[int]]]] = []
    for i in range(start, len(lines)):
        line = lines[i].strip()
        if not line:
            continue
        if line.startswith("#"):
            raise fail(i + 1, "a header line after the preference lines began; expected "
                       "every '#' line before the first 'count: order' line.")
        count, sep, order = line.partition(":")
        if not sep:
            raise fail(i + 1, f"{line!r} has no ':'; expected 'count: order', "
                       "e.g. '3: 1,2,{3,4}'.")
        if not _NUM.fullmatch(count.strip()):
            raise fail(i + 1, f"malformed count {count.strip()!r}; expected a non-negative "
                       "integer before ':'.")
        if not _ORDER.fullmatch(order):
            raise fail(i + 1, f"malformed order {order.strip()!r}; expected alternative numbers "
                       "separated by commas, tied ones in braces, e.g. '1,{2,3},4'.")
        tiers = [[int(a) for a in t[1:-1].split(",")] if t[0] == "{" else [int(t)]
                 for t in _TOKEN.findall(order)]
        orders.append((i + 1, int(count), tiers))
    return orders


def _infer_type(ranked: np.ndarray, ranks: np.ndarray) -> str:
    n_ranked = ranked.sum(axis=1)
    top = np.where(ranked, ranks, -1).max(axis=1)
    strict = bool(np.all(top + 1 == n_ranked))
    complete = bool(ranked.all())
    return ("s" if strict else "t") + "o" + ("c" if complete else "i")


# ---------------------------------------------------------------------------- PrefLib write
def write_preflib(profile: Profile, path: str | PathLike[str], **metadata: Any) -> Path:
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


def _choose_type(profile: Profile, md: dict, given: str | None) -> str:
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
    return old if old in PREFLIB_TYPES and fits[old] else _infer_type(ranked, r)


def _alternative_ids(profile: Profile, names: Any) -> tuple[list[int], dict[int, str]]:
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


def format_preflib(profile: Profile, **metadata: Any) -> str:
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
    if not isinstance(profile, Profile):
        raise PrefLibError(f"Expected a Profile; got {type(profile).__name__}.")
    given = {_key(k): v for k, v in metadata.items()}
    md = {**{_key(k): v for k, v in profile.metadata.items()}, **given}
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
    out = []
    special = (*_TEXT_KEYS, *_NUMBER_KEYS, "alternative_names", "comments")
    extra = [k for k in md if k not in special]
    for key in (*_TEXT_KEYS, *_NUMBER_KEYS, *extra):
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
    m = profile.num_candidates
    fill = dtype in ("soc", "toc")  # unranked candidates become the last tier
    for row, count in zip(profile.ranks.tolist(), counts.tolist(), strict=True):
        tiers: dict[int, list[int]] = {}
        for j, pos in enumerate(row):
            if pos < m or fill:
                tiers.setdefault(pos, []).append(ids[j])
        items = [sorted(tiers[pos]) for pos in sorted(tiers)]
        text = ",".join(str(t[0]) if len(t) == 1 else "{" + ",".join(map(str, t)) + "}"
                        for t in items)
        out.append(f"{count}: {text}".rstrip())
    return "\n".join(out) + "\n"
