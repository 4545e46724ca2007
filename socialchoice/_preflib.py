"""Reading PrefLib ordinal files (private; the format and public API are documented in
:mod:`socialchoice.io`).

Every number in the file is checked before anything is allocated: counts and their total
against :data:`MAX_VOTERS` (2^53, the largest total every rule adds exactly), and the header's
``NUMBER ALTERNATIVES`` against the alternatives the file names or ranks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from _common.sources import Source, read_text

from ._errors import PrefLibError
from ._preflib_write import NUMBER_KEYS, PREFLIB_TYPES, TEXT_KEYS, field_key, infer_type
from .profile import MAX_VOTERS, Profile

__all__ = ["parse_preflib", "read_preflib"]

_ITEM = r"(?:[0-9]+|\{\s*[0-9]+(?:\s*,\s*[0-9]+)*\s*\})"
_ORDER = re.compile(rf"\s*(?:{_ITEM}(?:\s*,\s*{_ITEM})*)?\s*")
_NUM = re.compile(r"[0-9]+")
_TOKEN = re.compile(r"\{[^}]*\}|[0-9]+")
_ALT_NAME = re.compile(r"ALTERNATIVE\s+NAME\s+(\S+)", re.I)
_COMPLETE = ("soc", "toc")

Fail = Callable[[int, str], PrefLibError]


@dataclass
class _Header:
    """The ``#`` lines: fields, the line of each, alternative names, the first data line."""

    md: dict[str, Any] = field(default_factory=dict)
    where: dict[str, int] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    start: int = 0


@dataclass
class _Order:
    line: int
    count: int
    tiers: list[list[int]]


def _extension(source: str) -> str | None:
    ext = Path(str(source)).suffix[1:].lower()
    return ext if ext in PREFLIB_TYPES else None


def is_path(source: str) -> bool:
    """Whether a display name is a file's name (not ``<bytes>``, ``<string>``...)."""
    return not (source.startswith("<") and source.endswith(">"))


# ---------------------------------------------------------------------------- public
def read_preflib(source: Source, *, name: str | None = None) -> Profile:
    """Read a PrefLib ordinal file (``.soc``, ``.soi``, ``.toc`` or ``.toi``).

    Parameters
    ----------
    source : path-like, file-like or bytes
        The file (UTF-8): a path, an object with ``read()`` or its bytes.
    name : str, optional
        The name used in messages and for the data type (its extension); default the
        path as given, a file object's name, or ``'<bytes>'``.

    Returns
    -------
    Profile
        Labels are the alternative names (see the module notes); the header is in
        ``profile.metadata``.

    Raises
    ------
    PrefLibError
        The file is missing, empty or malformed; the message names the file and line and
        what was expected.

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
    >>> read_preflib(b"2: 1,2\\n1: 2,1\\n").num_voters
    3
    """
    text, label = read_text(source, name=name, error=PrefLibError)
    return parse_preflib(text, source=label)


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
        Empty text, a malformed header or order line, a count above 2^53 or a header number
        the data does not support (the message names ``source`` and the line).

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

    if not text.strip():
        raise PrefLibError(f"{source}: the file is empty; expected PrefLib header lines "
                           "('# FIELD: value') and 'count: order' lines.")
    lines = text.splitlines()
    head = _read_header(lines, fail)
    dtype = _data_type(head, source, fail)
    orders = _read_orders(lines, head.start, fail)
    if not orders:
        raise fail(len(lines), "no preference lines; expected at least one 'count: order' line.")
    ids = _alternatives(head, orders, dtype, fail)
    ranks, counts = _rank_rows(orders, ids, dtype, fail)
    _check_totals(head, orders, int(counts.sum()), fail)
    md, labels = _metadata(head, ids, orders, ranks, dtype, source)
    return Profile.from_ranks(ranks, candidates=labels, counts=counts, metadata=md)


# ---------------------------------------------------------------------------- header
def _read_header(lines: list[str], fail: Fail) -> _Header:
    head = _Header(start=len(lines))
    comments: list[str] = []
    for i, raw in enumerate(lines):
        line = raw.strip()
        if not line:
            continue
        if not line.startswith("#"):
            head.start = i
            break
        body = line[1:].strip()
        key, sep, value = body.partition(":")
        alt = _ALT_NAME.fullmatch(key.strip())
        if not sep or not key.strip():
            comments.append(body)
        elif alt:
            _read_name(head, alt.group(1), value, i + 1, fail)
        else:
            _read_field(head, key.strip(), value.strip(), i + 1, fail)
    if comments:
        head.md["comments"] = comments
    return head


def _read_name(head: _Header, number: str, value: str, line: int, fail: Fail) -> None:
    if not _NUM.fullmatch(number):
        raise fail(line, f"ALTERNATIVE NAME {number!r}: expected a non-negative alternative "
                   "number before ':'.")
    num = int(number)
    if num in head.names:
        raise fail(line, f"ALTERNATIVE NAME {num} is given twice (first on line "
                   f"{head.where[f'alt{num}']}); expected one name per alternative.")
    head.names[num], head.where[f"alt{num}"] = value.strip(), line
    head.md.setdefault("alternative_names", head.names)


def _read_field(head: _Header, title: str, value: str, line: int, fail: Fail) -> None:
    key = field_key(title)
    if key in ("alternative_names", "comments"):
        raise fail(line, f"{title} is a reserved field name; expected "
                   "'ALTERNATIVE NAME <number>: <name>' lines.")
    if key in head.where:
        raise fail(line, f"{title} is given twice (first on line {head.where[key]}); "
                   "expected each field once.")
    if key in NUMBER_KEYS:
        if not _NUM.fullmatch(value):
            raise fail(line, f"{title} is {value!r}; expected a non-negative integer.")
        head.md[key], head.where[key] = int(value), line
    else:
        head.md[key], head.where[key] = value, line


def _data_type(head: _Header, source: str, fail: Fail) -> str | None:
    """The data type: the file extension, else the DATA TYPE field; they must agree."""
    ext = _extension(source)
    dtype = str(head.md.get("data_type", "")).lower() or None
    if dtype is not None and dtype not in PREFLIB_TYPES:
        raise fail(head.where["data_type"], f"DATA TYPE is {dtype!r}; expected one of the "
                   f"ordinal types {', '.join(PREFLIB_TYPES)}.")
    if ext and dtype and ext != dtype:
        raise fail(head.where["data_type"], f"DATA TYPE is {dtype!r} but the file extension "
                   f"is '.{ext}'; expected them to agree.")
    return ext or dtype


# ---------------------------------------------------------------------------- orders
def _read_orders(lines: list[str], start: int, fail: Fail) -> list[_Order]:
    """One :class:`_Order` per preference line; counts checked against 2^53 as they come."""
    orders: list[_Order] = []
    total = 0
    for i in range(start, len(lines)):
        line = lines[i].strip()
        if not line:
            continue
        order = _read_order(line, i + 1, fail)
        total += order.count
        if total > MAX_VOTERS:
            raise fail(i + 1, f"the counts sum to more than 2^53 ({MAX_VOTERS}) by this line; "
                       "expected a total of at most 2^53 voters, the most every rule counts "
                       "exactly.")
        orders.append(order)
    return orders


def _read_order(line: str, number: int, fail: Fail) -> _Order:
    if line.startswith("#"):
        raise fail(number, "a header line after the preference lines began; expected "
                   "every '#' line before the first 'count: order' line.")
    count, sep, order = line.partition(":")
    if not sep:
        raise fail(number, f"{line!r} has no ':'; expected 'count: order', e.g. '3: 1,2,{{3,4}}'.")
    if not _NUM.fullmatch(count.strip()):
        raise fail(number, f"malformed count {count.strip()!r}; expected a non-negative "
                   "integer before ':'.")
    n = int(count)
    if n > MAX_VOTERS:
        raise fail(number, f"count {n} is above 2^53 ({MAX_VOTERS}); expected a count of at "
                   "most 2^53 voters.")
    if not _ORDER.fullmatch(order):
        raise fail(number, f"malformed order {order.strip()!r}; expected alternative numbers "
                   "separated by commas, tied ones in braces, e.g. '1,{2,3},4'.")
    tiers = [[int(a) for a in t[1:-1].split(",")] if t[0] == "{" else [int(t)]
             for t in _TOKEN.findall(order)]
    return _Order(number, n, tiers)


# ---------------------------------------------------------------------------- alternatives
def _alternatives(head: _Header, orders: list[_Order], dtype: str | None, fail: Fail) -> list:
    """The alternative numbers, checked against the data before any array is allocated."""
    md, names = head.md, head.names
    m_line = head.where.get("number_alternatives", 1)
    if names:
        ids = sorted(names)
        if "number_alternatives" in md and md["number_alternatives"] != len(ids):
            raise fail(m_line, f"NUMBER ALTERNATIVES is {md['number_alternatives']} but "
                       f"{len(ids)} ALTERNATIVE NAME lines are given; expected them to agree.")
    elif "number_alternatives" in md:
        m = md["number_alternatives"]
        _check_unnamed_count(m, m_line, orders, dtype, fail)
        ids = list(range(1, m + 1))
    else:
        ids = sorted({a for o in orders for t in o.tiers for a in t})
    if not ids:
        raise fail(m_line, "the file has no alternatives; expected at least one.")
    return ids


def _check_unnamed_count(
    m: int, line: int, orders: list[_Order], dtype: str | None, fail: Fail
) -> None:
    """Without names, NUMBER ALTERNATIVES may not exceed what the orders list."""
    listed = [sum(map(len, o.tiers)) for o in orders]
    if dtype in _COMPLETE and m > max(listed):
        first = next(o for o, n in zip(orders, listed, strict=True) if n != m)
        raise fail(first.line, f"this order lists {sum(map(len, first.tiers))} of the {m} "
                   f"alternatives; expected all of them, as a {dtype} file holds complete "
                   "orders.")
    highest = max((a for o in orders for t in o.tiers for a in t), default=0)
    if m > highest:
        raise fail(line, f"NUMBER ALTERNATIVES is {m} but the orders list alternatives only up "
                   f"to {highest} and no ALTERNATIVE NAME lines name the others; expected "
                   "NUMBER ALTERNATIVES to match the data, or an 'ALTERNATIVE NAME <number>: "
                   "<name>' line for each alternative.")


def _rank_rows(
    orders: list[_Order], ids: list, dtype: str | None, fail: Fail
) -> tuple[NDArray[np.int32], NDArray[np.int64]]:
    """The ``(orders, m)`` position array (-1 = unlisted) and the counts, each order checked."""
    col = {a: j for j, a in enumerate(ids)}
    m = len(ids)
    span = f"{ids[0]}..{ids[-1]}" if ids == list(range(ids[0], ids[-1] + 1)) else str(ids)
    ranks = np.full((len(orders), m), -1, dtype=np.int32)
    counts = np.array([o.count for o in orders], dtype=np.int64)
    for k, order in enumerate(orders):
        row = ranks[k]
        for pos, tier in enumerate(order.tiers):
            for a in tier:
                j = col.get(a)
                if j is None:
                    raise fail(order.line, f"alternative {a} is not one of the file's "
                               f"alternatives; expected one of {span}.")
                if row[j] >= 0:
                    raise fail(order.line, f"alternative {a} is listed twice; expected each "
                               "alternative at most once per order.")
                row[j] = pos
        _check_order_type(order, m, dtype, fail)
    return ranks, counts


def _check_order_type(order: _Order, m: int, dtype: str | None, fail: Fail) -> None:
    listed = sum(map(len, order.tiers))
    if dtype in ("soc", "soi") and listed != len(order.tiers):
        raise fail(order.line, f"this order has tied alternatives; expected a strict order, as "
                   f"a {dtype} file holds.")
    if dtype in _COMPLETE and listed != m:
        raise fail(order.line, f"this order lists {listed} of the {m} alternatives; expected "
                   f"all of them, as a {dtype} file holds complete orders.")


def _check_totals(head: _Header, orders: list[_Order], total: int, fail: Fail) -> None:
    md, where = head.md, head.where
    if "number_voters" in md and md["number_voters"] != total:
        raise fail(where["number_voters"], f"NUMBER VOTERS is {md['number_voters']} but the "
                   f"counts of the preference lines sum to {total}; expected them to agree.")
    if "number_unique_orders" in md and md["number_unique_orders"] != len(orders):
        raise fail(where["number_unique_orders"], f"NUMBER UNIQUE ORDERS is "
                   f"{md['number_unique_orders']} but the file has {len(orders)} preference "
                   "lines; expected them to agree.")
    if total == 0:
        raise fail(orders[0].line, "every count is 0; expected at least one voter.")


def _metadata(
    head: _Header, ids: list, orders: list[_Order], ranks: NDArray, dtype: str | None,
    source: str,
) -> tuple[dict[str, Any], list[Hashable]]:
    """The normalised metadata (every standard field present) and the candidate labels."""
    md, names = head.md, head.names
    if dtype is None:
        dtype = infer_type(ranks >= 0, ranks)
    for key in TEXT_KEYS:
        md.setdefault(key, Path(source).name if key == "file_name" and is_path(source) else "")
    md["data_type"] = dtype
    md.setdefault("number_alternatives", len(ids))
    md.setdefault("number_voters", sum(o.count for o in orders))
    md.setdefault("number_unique_orders", len(orders))
    md["alternative_names"] = names or {a: str(a) for a in ids}
    labels: list[Hashable] = list(ids)
    if names and len(set(names.values())) == len(ids) and any(names[a] != str(a) for a in ids):
        labels = [names[a] for a in ids]
    return md, labels
