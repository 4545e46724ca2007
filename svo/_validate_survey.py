"""Validating survey tables: ids, answer cells, wide and long layouts.

Private helpers of :func:`svo.read_survey` and :func:`svo.check_survey` (see
:mod:`svo._survey` for the rules). :func:`_check_table` checks a raw table and returns the
wide table of the respondents kept with the problems found; problems are collected in an
:class:`_Issues` and either raised or, under ``errors='coerce'``, returned as
:class:`svo.Problem` records.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np

from ._errors import ChoiceError, SurveyError
from ._items import ITEM_COLUMNS, N_ITEMS, N_OPTIONS, N_PRIMARY
from ._readers import ID_COLUMNS, _find_id, _key, _Where
from ._results import Problem
from ._score import SCORE_COLUMNS, _py

_MAX_LISTED = 5
_ITEM_NAME = re.compile(r"^item[\s_]*(\d+)(?:[\s_]*(self|other))?$")


def _others(rows: Any, i: int, where: _Where) -> str:
    """The locations of the rows in ``rows`` other than ``i``, at most three named."""
    others = [j for j in rows[:4] if j != i][:3]
    more = len(rows) - 1 - len(others)
    return ", ".join(where(j) for j in others) + (f" and {more} more rows" if more else "")


def _check_table(raw, where: _Where, format: str, id_column: str | None, option_base: int,
                 errors: str):
    """The checked wide table, the problems, the item columns and the layout read."""
    clash = [str(c) for c in raw.columns if c in SCORE_COLUMNS]
    if clash:
        raise SurveyError(
            f"The survey {where.source!r} has the column(s) {', '.join(map(repr, clash))}, "
            f"named like the scores svo.score adds ({', '.join(SCORE_COLUMNS)}); joined to the "
            "scores, they would clash or be taken for them. Rename them."
        )
    keys = {_key(c) for c in raw.columns}
    long = format == "long" or (format == "auto" and {"item", "choice"} <= keys)
    id_name = _find_id(raw.columns, id_column)
    required = ["item", "choice"] if long else []
    if id_name is None:
        expected = repr(id_column) if id_column is not None else " or ".join(map(repr, ID_COLUMNS))
        required.insert(0, expected)
    missing = [c for c in required if c not in keys]
    if missing:
        layout = ("long format: respondent, item (1–15), choice (option index)" if long else
                  "wide format: an id column and item1 … item6 (optionally … item15)")
        raise SurveyError(
            f"The survey {where.source!r} lacks the required column(s) {', '.join(missing)} "
            f"({layout}). Got columns {[str(c) for c in raw.columns][:25]}."
        )
    if long:
        return _check_long(raw, where, id_name, option_base, errors)
    return _check_wide(raw, where, id_name, option_base, errors)


class _Issues:
    """Problems found while checking a table, kept as arrays of table rows.

    Each chunk holds the rows of one kind of problem in one column, the cells as given and a
    function that words the problem of its k-th row; messages are only made for the
    problems shown, so a million bad cells cost little until they are listed.
    """

    def __init__(self) -> None:
        self.chunks: list[tuple[np.ndarray, str, np.ndarray, Callable[[int], str], bool]] = []

    def add(self, rows: Any, column: Any, values: Any, what: Callable[[int], str],
            structural: bool) -> None:
        rows = np.asarray(rows, dtype=np.intp)
        if len(rows):
            self.chunks.append((rows, str(column), np.asarray(values, dtype=object), what,
                                structural))

    def rows(self) -> np.ndarray:
        """Every table row with a problem (with repeats)."""
        return np.concatenate([c[0] for c in self.chunks] or [np.zeros(0, np.intp)])

    def resolve(self, where: _Where, ids: Any, empty: np.ndarray,
                errors: str) -> tuple[Problem, ...]:
        """Raise (``errors='raise'``) or return one :class:`Problem` per problem, by row."""
        if not self.chunks:
            return ()
        rows = self.rows()
        chunk = np.repeat(np.arange(len(self.chunks)), [len(c[0]) for c in self.chunks])
        within = np.concatenate([np.arange(len(c[0])) for c in self.chunks])
        order = np.argsort(rows, kind="stable")
        labels = ids.to_numpy(dtype=object)

        def respondent(i: int) -> Any:
            return None if empty[i] else _py(labels[i])

        def entry(j: int) -> tuple[int, str, Any, str]:
            _, column, values, what, _ = self.chunks[chunk[j]]
            return int(rows[j]), column, _py(values[within[j]]), what(int(within[j]))

        if errors == "raise":
            listed = []
            for i, column, _, what in map(entry, order[:_MAX_LISTED]):
                who = "" if empty[i] else f", respondent {respondent(i)!r}"
                listed.append(f"{where(i)}{who}, column {column!r}: {what}")
            n = len(rows)
            more = f"; and {n - _MAX_LISTED} more" if n > _MAX_LISTED else ""
            kind = SurveyError if any(c[4] for c in self.chunks) else ChoiceError
            text = "; ".join(listed)
            settings = [("errors", "coerce")]
            if "option_base=1" in text:
                settings.insert(0, ("option_base", 1))
            raise kind(
                f"{n} problem{'s' if n > 1 else ''} in {where.source} ({where.convention}): "
                f"{text}{more}. To drop these respondents and list them in the report, set "
                "errors='coerce'.",
                settings=settings,
            )
        # many problems (say, a whole file numbered 1–9): plain lists are much faster here
        rows, chunk, within = rows[order], chunk[order].tolist(), within[order].tolist()
        positions = where.positions[rows].tolist()
        located = where.kind != "position"
        who = [None if e else _py(label) for e, label in zip(empty[rows].tolist(),
                                                               labels[rows].tolist(),
                                                               strict=True)]
        values = [c[2].tolist() for c in self.chunks]
        problems = []
        for i, c, k, position in zip(rows.tolist(), chunk, within, positions, strict=True):
            what = self.chunks[c][3](k)
            problems.append(Problem(position, who[len(problems)], self.chunks[c][1],
                                    values[c][k], f"{where(i)}: {what}" if located else what))
        return tuple(problems)


def _ids(raw, id_name: Any, issues: _Issues) -> tuple[Any, np.ndarray]:
    """The ids (strings stripped) and the mask of empty ids, which are added to ``issues``."""
    import pandas as pd

    ids = raw[id_name]
    if not pd.api.types.is_numeric_dtype(ids):
        ids = ids.astype("str").str.strip().where(ids.notna())
    empty = (ids.isna() | (ids == "")).to_numpy()
    rows = np.flatnonzero(empty)
    issues.add(rows, id_name, raw[id_name].iloc[rows],
               lambda k: "the respondent id is empty; expected a non-empty id", True)
    return ids, empty


def _grouped(rows: np.ndarray, keys: Any) -> Callable[[int], np.ndarray]:
    """For the k-th of ``rows``, all of ``rows`` that share its key (computed when asked)."""
    import pandas as pd

    codes = pd.factorize(np.asarray(keys))[0]
    cache: dict[str, Any] = {}

    def group(k: int) -> np.ndarray:
        if "groups" not in cache:
            cache["groups"] = pd.Series(np.arange(len(rows))).groupby(codes).indices
        return rows[cache["groups"][codes[k]]]

    return group


def _numeric(column) -> tuple[np.ndarray, np.ndarray]:
    """Values as floats (NaN where missing or not a number) and the mask of non-numbers."""
    import pandas as pd

    if pd.api.types.is_bool_dtype(column):
        return np.full(len(column), np.nan), column.notna().to_numpy()
    if pd.api.types.is_numeric_dtype(column):
        return column.to_numpy(dtype=float, na_value=np.nan), np.zeros(len(column), bool)
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    suspect = np.flatnonzero(np.isnan(values) & column.notna().to_numpy())
    bad = np.zeros(len(column), bool)
    bad[suspect] = column.iloc[suspect].astype("str").str.strip().to_numpy() != ""
    return values, bad


def _options(column, name: str, option_base: int, issues: _Issues) -> np.ndarray:
    """Option indices 0–8 of a column (NaN if missing or invalid); invalid cells to ``issues``."""
    values, not_number = _numeric(column)
    shifted = values - option_base
    with np.errstate(invalid="ignore"):
        outside = (shifted < 0) | (shifted > N_OPTIONS - 1)
        fraction = ~np.isnan(shifted) & ~outside & (shifted != np.floor(shifted))
    bad = not_number | outside | fraction
    rows = np.flatnonzero(bad)
    given = column.iloc[rows].to_numpy(dtype=object)
    kinds = np.where(not_number[rows], 0, np.where(outside[rows], 1, 2)).tolist()
    number = values[rows].tolist()
    expected = (f"expected an integer option index {option_base}–{option_base + N_OPTIONS - 1}"
                " or a blank")
    hint = " (numbered 1–9? set option_base=1)" if option_base == 0 else ""
    words: dict[tuple[int, float], str] = {}  # few distinct messages: word each once

    def what(k: int) -> str:
        if kinds[k] == 0:
            return f"{_py(given[k])!r} is not a number; {expected}"
        key = (kinds[k], number[k])
        if key not in words:
            words[key] = (f"option {number[k]:g} is out of range; {expected}"
                          + (hint if number[k] == N_OPTIONS else "") if kinds[k] == 1 else
                          f"option {number[k]:g} is not a whole number; {expected}")
        return words[key]

    issues.add(rows, name, given, what, False)
    shifted[bad] = np.nan
    return shifted


def _item_columns(columns: Any, source: str) -> dict[tuple[int, str], Any]:
    """``(item number, '' | 'self' | 'other') -> column`` for every item-like column."""
    found: dict[tuple[int, str], Any] = {}
    for column in columns:
        match = _ITEM_NAME.match(_key(column))
        if match is None:
            continue
        number, part = int(match[1]), match[2] or ""
        if not 1 <= number <= N_ITEMS:
            raise SurveyError(
                f"The survey {source!r} has a column {str(column)!r}, but the slider form has "
                f"items 1–{N_ITEMS}. Expected item columns item1 … item{N_ITEMS}; rename it."
            )
        if (number, part) in found:
            raise SurveyError(
                f"The survey {source!r} has two columns for the same item: "
                f"{str(found[number, part])!r} and {str(column)!r}. Expected one."
            )
        found[number, part] = column
    return found


def _wide_layout(raw, id_name: Any, source: str, option_base: int) -> tuple[dict, bool, int]:
    """The item columns, whether they hold payoffs, and the number of items (6 or 15)."""
    found = _item_columns([c for c in raw.columns if c != id_name], source)
    has = {part: [k for k in range(1, N_ITEMS + 1) if (k, part) in found]
           for part in ("", "self", "other")}
    index_ok = has[""][:N_PRIMARY] == list(range(1, N_PRIMARY + 1))
    pairs = sorted(set(has["self"]) & set(has["other"]))
    allocation = pairs[:N_PRIMARY] == list(range(1, N_PRIMARY + 1))
    if index_ok and allocation:
        raise SurveyError(
            f"The survey {source!r} has both option columns (item1 …) and payoff columns "
            "(item1_self, item1_other …). Expected one of the two; drop the other."
        )
    if not (index_ok or allocation):
        lacking = [ITEM_COLUMNS[k - 1] for k in range(1, N_PRIMARY + 1) if k not in has[""]]
        raise SurveyError(
            f"The survey {source!r} lacks the primary item column(s) {', '.join(lacking)}: "
            "expected item1 … item6 (optionally item7 … item15) of option indices "
            f"{option_base}–{option_base + N_OPTIONS - 1}, or item1_self, item1_other, … of "
            f"payoffs. Got columns {[str(c) for c in raw.columns][:25]}."
        )
    parts = ("self", "other") if allocation else ("",)
    stray = [str(c) for (k, part), c in found.items()
             if part not in parts or (allocation and k not in pairs)]
    if stray:
        layout = ("payoff columns (item1_self, item1_other …)" if allocation else
                  "option columns (item1 …)")
        raise SurveyError(
            f"The survey {source!r} has {layout} for the primary items, and also the column(s) "
            f"{', '.join(map(repr, stray))}, which do not fit that layout and would be ignored. "
            "Expected every item in one layout: option indices or self/other payoff pairs."
        )
    secondary = [k for k in (pairs if allocation else has[""]) if k > N_PRIMARY]
    if secondary and len(secondary) != N_ITEMS - N_PRIMARY:
        lacking = [ITEM_COLUMNS[k - 1] for k in range(N_PRIMARY + 1, N_ITEMS + 1)
                   if k not in secondary]
        raise SurveyError(
            f"The survey {source!r} has some secondary item columns but lacks "
            f"{', '.join(lacking)}. Expected all nine of item7 … item15, or none."
        )
    return found, allocation, N_ITEMS if secondary else N_PRIMARY


def _check_wide(raw, where: _Where, id_name: Any, option_base: int, errors: str):
    import pandas as pd

    found, allocation, n_items = _wide_layout(raw, id_name, where.source, option_base)
    issues = _Issues()
    ids, empty = _ids(raw, id_name, issues)
    rows = np.flatnonzero(ids.duplicated(keep=False).to_numpy() & ~empty)
    group, labels = _grouped(rows, ids.iloc[rows]), ids.iloc[rows].to_numpy(dtype=object)
    issues.add(rows, id_name, labels,
               lambda k: (f"respondent id {_py(labels[k])!r} is also on "
                          f"{_others(group(k), rows[k], where)}; expected unique ids"), True)
    parts = ("self", "other") if allocation else ("",)
    items = {}
    for k in range(1, n_items + 1):
        for part in parts:
            name, column = f"item{k}_{part}" if part else f"item{k}", raw[found[k, part]]
            if not allocation:
                items[name] = _options(column, name, option_base, issues)
                continue
            items[name], bad = _numeric(column)
            bad_rows = np.flatnonzero(bad)
            given = column.iloc[bad_rows].to_numpy(dtype=object)
            issues.add(bad_rows, name, given,
                       lambda j, given=given: f"{_py(given[j])!r} is not a number; expected a "
                                              "payoff", False)
    answers = pd.DataFrame(items)
    if allocation:
        _allocation_issues(answers, issues)
    used = {found[k, part] for k in range(1, n_items + 1) for part in parts}
    other = [c for c in raw.columns if c != id_name and c not in used]
    table = pd.concat([raw[other], answers], axis=1)
    table.index = pd.Index(ids, name="respondent")
    drop = np.zeros(len(raw), bool)
    drop[issues.rows()] = True
    problems = issues.resolve(where, ids, empty, errors)
    return table[~drop], problems, list(items), "wide"


def _allocation_issues(payoffs, issues: _Issues) -> None:
    """Payoff pairs that are not on their item's line, found by :func:`svo.score`."""
    from ._score import score_report

    for p in score_report(payoffs, errors="coerce").dropped:
        issues.add([p.row], p.column, [p.value],
                   lambda k, p=p: f"{p.message}; expected a point on the line", False)


def _item_numbers(item) -> np.ndarray:
    """Item numbers of a long table's ``item`` column (1–15, ``item1`` …); NaN if unreadable."""
    import pandas as pd

    if pd.api.types.is_numeric_dtype(item) and not pd.api.types.is_bool_dtype(item):
        return item.to_numpy(dtype=float, na_value=np.nan)
    codes, uniques = pd.factorize(item)  # parse each distinct value once
    text = pd.Series(uniques, dtype=object).astype("str").str.strip().str.lower()
    digits = text.str.extract(r"^(?:item[\s_]*)?(\d+)(?:\.0*)?$", expand=False)
    parsed = pd.to_numeric(digits, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return np.append(parsed, np.nan)[codes]  # code -1 (missing) -> NaN


def _check_long(raw, where: _Where, id_name: Any, option_base: int, errors: str):
    import pandas as pd

    columns = {_key(c): c for c in raw.columns}
    item_col, choice_col = columns["item"], columns["choice"]
    issues = _Issues()
    ids, empty = _ids(raw, id_name, issues)
    number = _item_numbers(raw[item_col])
    with np.errstate(invalid="ignore"):
        unknown = ~((number >= 1) & (number <= N_ITEMS) & (number == np.floor(number)))
    rows = np.flatnonzero(unknown)
    given = raw[item_col].iloc[rows].to_numpy(dtype=object)
    issues.add(rows, item_col, given,
               lambda k: (f"{_py(given[k])!r} is not an item of the form; expected an item "
                          f"number 1–{N_ITEMS} (or item1 … item{N_ITEMS})"), True)
    choice = _options(raw[choice_col], str(choice_col), option_base, issues)
    valid = ~empty & ~unknown
    code, labels = pd.factorize(ids.where(~empty))  # code -1 for empty ids
    number = np.where(valid, number, 0).astype(np.intp)
    pair = code * (N_ITEMS + 1) + number
    dup = np.flatnonzero(pd.Series(pair).duplicated(keep=False).to_numpy() & valid)
    group = _grouped(dup, pair[dup])
    issues.add(dup, item_col, number[dup],
               lambda k: (f"respondent {_py(labels[code[dup[k]]])!r} answers item "
                          f"{number[dup[k]]} more than once (also on "
                          f"{_others(group(k), dup[k], where)}); expected one row per "
                          "respondent and item"), True)
    other = [c for c in raw.columns if c not in (id_name, item_col, choice_col)]
    keyed = raw[other].assign(_code=code)[~empty]
    for column in other:
        _varying(keyed, column, labels, where, issues)
    n_items = N_ITEMS if (valid & (number > N_PRIMARY)).any() else N_PRIMARY
    answers = np.full((len(labels), N_ITEMS + 1), np.nan)
    keep = valid & ~np.isnan(choice)
    answers[code[keep], number[keep]] = choice[keep]
    demographics = keyed.groupby("_code", sort=True).first().reindex(range(len(labels)))
    table = pd.concat([demographics.reset_index(drop=True),
                       pd.DataFrame(answers[:, 1:n_items + 1], columns=ITEM_COLUMNS[:n_items])],
                      axis=1)
    table.index = pd.Index(labels, name="respondent")
    drop = np.zeros(len(labels), bool)
    bad_codes = code[issues.rows()]
    drop[bad_codes[bad_codes >= 0]] = True
    problems = issues.resolve(where, ids, empty, errors)
    item_columns = list(ITEM_COLUMNS[:n_items])
    return table[~drop], problems, item_columns, "long"


def _varying(keyed, column: Any, labels: Any, where: _Where, issues: _Issues) -> None:
    """Long format: the rows where a respondent's demographic differs from its first value."""
    import pandas as pd

    values = keyed[["_code", column]].dropna().drop_duplicates()  # index: table rows
    again = values["_code"].duplicated().to_numpy()
    firsts = values[~again]
    first_row = pd.Series(firsts.index.to_numpy(), index=firsts["_code"].to_numpy())
    rows, codes = values.index[again].to_numpy(), values["_code"].to_numpy()[again]
    first = first_row.loc[codes].to_numpy()
    given = values[column].to_numpy(dtype=object)[again]
    before = keyed[column].loc[first].to_numpy(dtype=object)
    issues.add(rows, column, given,
               lambda k: (f"{str(column)!r} of respondent {_py(labels[codes[k]])!r} is "
                          f"{_py(given[k])!r} here but {_py(before[k])!r} on "
                          f"{where(first[k])}; expected the same value on every row of a "
                          "respondent in the long format (blanks are filled)"), True)
