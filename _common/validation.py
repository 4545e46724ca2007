"""The one set of argument checks used by every package, with one message form.

Every check takes the offending value, the parameter's ``name``, the public function it
belongs to (``func``) and the package's exception class (``error``), and raises::

    The 'k' parameter of select must be an int in [1, 50]. Got 0 instead.

Values are shown with :func:`show`, so numpy scalars read as plain Python values
(``'yes'``, not ``np.str_('yes')``).

>>> check_int(3, "k", "select", 1, 50)
3
>>> check_int(0, "k", "select", 1, 50)
Traceback (most recent call last):
...
ValueError: The 'k' parameter of select must be an int in [1, 50]. Got 0 instead.
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Hashable, Iterable
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "check_choice",
    "check_float",
    "check_int",
    "check_labels",
    "check_matrix",
    "check_probability",
    "check_rng",
    "check_vote_matrix",
    "did_you_mean",
    "first_index",
    "parameter_error",
    "seed_from",
    "show",
]

ErrorType = type[Exception]
_SHOW_LIMIT = 80


def did_you_mean(value: Any, choices: Iterable[str]) -> str:
    """" Did you mean 'x'?" for the closest of ``choices`` to a mistyped name, else "".

    >>> did_you_mean("copland", ["borda", "copeland", "minimax"])
    " Did you mean 'copeland'?"
    >>> did_you_mean("xyz", ["borda", "copeland"])
    ''
    """
    if not isinstance(value, str):
        return ""
    close = difflib.get_close_matches(value, list(choices), n=1, cutoff=0.75)
    return f" Did you mean {close[0]!r}?" if close else ""


def show(value: Any) -> str:
    """``repr`` of a value as a user would write it: numpy scalars as Python scalars, shortened.

    >>> show(np.str_("yes")), show(np.int64(3)), show(2.5)
    ("'yes'", '3', '2.5')
    """
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, np.ndarray):
        text = f"an array of shape {value.shape}"
    else:
        text = repr(value)
    return text if len(text) <= _SHOW_LIMIT else text[: _SHOW_LIMIT - 3] + "..."


def parameter_error(
    name: str, func: str, expected: str, value: Any, error: ErrorType = ValueError
) -> Exception:
    """The exception (not raised) for a parameter that is not what was expected.

    >>> str(parameter_error("k", "select", "an int in [1, 50]", 0))
    "The 'k' parameter of select must be an int in [1, 50]. Got 0 instead."
    """
    return error(f"The {name!r} parameter of {func} must be {expected}. Got {show(value)} instead.")


def _interval(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    left = "(" if low_open or low is None else "["
    right = ")" if high_open or high is None else "]"
    lo = "-inf" if low is None else f"{low:g}" if isinstance(low, float) else str(low)
    hi = "inf" if high is None else f"{high:g}" if isinstance(high, float) else str(high)
    return f"{left}{lo}, {hi}{right}"


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_)


def check_int(
    value: Any,
    name: str,
    func: str,
    low: int | None = None,
    high: int | None = None,
    *,
    error: ErrorType = ValueError,
) -> int:
    """``value`` as an ``int`` in ``[low, high]`` (either bound may be ``None``: unbounded).

    Booleans are refused; numpy integers are accepted.

    >>> check_int(np.int64(5), "n", "urn", 1)
    5
    >>> check_int(True, "n", "urn", 1)
    Traceback (most recent call last):
    ...
    ValueError: The 'n' parameter of urn must be an int in [1, inf). Got True instead.
    """
    ok = _is_int(value) and (low is None or value >= low) and (high is None or value <= high)
    if not ok:
        raise parameter_error(
            name, func, f"an int in {_interval(low, high, False, False)}", value, error
        )
    return int(value)


def check_float(
    value: Any,
    name: str,
    func: str,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
    error: ErrorType = ValueError,
) -> float:
    """``value`` as a finite ``float`` in the interval from ``low`` to ``high``.

    Ints are accepted; booleans, NaN and infinities are refused. ``low_open``/``high_open``
    exclude the bounds.

    >>> check_float(0.5, "phi", "mallows", 0, 1)
    0.5
    >>> check_float(0.0, "confidence", "compare", 0.0, 1.0, low_open=True, high_open=True)
    Traceback (most recent call last):
    ...
    ValueError: The 'confidence' parameter of compare must be a float in (0, 1). Got 0.0 instead.
    """
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)
    if ok:
        x = float(value)
        ok = math.isfinite(x)
        ok = ok and (low is None or (x > low if low_open else x >= low))
        ok = ok and (high is None or (x < high if high_open else x <= high))
    if not ok:
        expected = f"a float in {_interval(low, high, low_open, high_open)}"
        raise parameter_error(name, func, expected, value, error)
    return float(value)


def check_probability(
    value: Any, name: str, func: str, *, error: ErrorType = ValueError
) -> float:
    """``value`` as a probability, a float in [0, 1].

    >>> check_probability(1, "p", "sample")
    1.0
    """
    return check_float(value, name, func, 0.0, 1.0, error=error)


def check_choice(
    value: Any, name: str, func: str, options: Iterable[Any], *, error: ErrorType = ValueError
) -> Any:
    """``value`` if it is one of ``options``.

    >>> check_choice("coerce", "errors", "score", ["raise", "coerce"])
    'coerce'
    >>> check_choice("ignore", "errors", "score", ["raise", "coerce"])
    Traceback (most recent call last):
    ...
    ValueError: The 'errors' parameter of score must be one of 'raise', ... Got 'ignore' instead.
    """
    options = list(options)
    try:
        ok = value in options
    except TypeError:  # unhashable or incomparable values are simply not options
        ok = False
    if not ok:
        listed = ", ".join(show(o) for o in options)
        raise parameter_error(name, func, f"one of {listed}", value, error)
    return value


def check_rng(
    rng: Any, func: str, *, name: str = "rng", error: ErrorType = ValueError
) -> np.random.Generator:
    """A :class:`numpy.random.Generator` from ``rng`` (a Generator, an int seed or ``None``).

    Any integer is a valid seed, negative ones included (they are mapped to a valid seed).

    >>> bool(check_rng(0, "urn").integers(10) == check_rng(0, "urn").integers(10))
    True
    >>> int(check_rng(-1, "urn").integers(10)) >= 0
    True
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None:
        return np.random.default_rng()
    if _is_int(rng):
        return np.random.default_rng(seed_from(int(rng)))
    if isinstance(rng, np.random.SeedSequence | np.random.BitGenerator):
        return np.random.default_rng(rng)
    raise parameter_error(
        name, func, "a numpy.random.Generator, an int seed or None", rng, error
    )


def seed_from(seed: int) -> int:
    """A non-negative seed from any integer: non-negative seeds map to themselves.

    Negative seeds (which numpy refuses) map to distinct large non-negative ones.

    >>> seed_from(7), seed_from(-1) != seed_from(-2), seed_from(-1) >= 0
    (7, True, True)
    """
    seed = int(seed)
    return seed if seed >= 0 else (1 << 128) + (-seed)


def check_matrix(
    value: Any,
    name: str,
    func: str,
    *,
    square: bool = False,
    allow_nan: bool = False,
    min_rows: int = 0,
    min_cols: int = 0,
    error: ErrorType = ValueError,
) -> NDArray[np.float64]:
    """``value`` as a 2-D float matrix whose entries are finite (NaN allowed if ``allow_nan``).

    >>> check_matrix([[1, 2], [3, 4]], "U", "rate").shape
    (2, 2)
    >>> check_matrix([1, 2], "U", "rate")
    Traceback (most recent call last):
    ...
    ValueError: The 'U' parameter of rate must be a 2-D matrix. Got an array of shape (2,) instead.
    >>> check_matrix([[1, float("inf")]], "U", "rate")
    Traceback (most recent call last):
    ...
    ValueError: The 'U' parameter of rate must be a matrix of finite numbers; entry [0, 1] is inf...
    """
    try:
        M = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise parameter_error(name, func, "a 2-D matrix of numbers", value, error) from None
    if M.ndim != 2:
        raise parameter_error(name, func, "a 2-D matrix", M, error)
    if square and M.shape[0] != M.shape[1]:
        raise parameter_error(name, func, "a square matrix", M, error)
    if M.shape[0] < min_rows or M.shape[1] < min_cols:
        expected = f"a matrix with at least {min_rows} row(s) and {min_cols} column(s)"
        raise parameter_error(name, func, expected, M, error)
    bad = ~np.isfinite(M) & ~(np.isnan(M) if allow_nan else False)
    if bad.any():
        i, j = (int(x) for x in np.argwhere(bad)[0])
        kind = "finite numbers or NaN" if allow_nan else "finite numbers"
        expected = f"a matrix of {kind}; entry [{i}, {j}] is {show(M[i, j])}"
        raise parameter_error(name, func, expected, M, error)
    return M


def check_vote_matrix(
    value: Any, name: str, func: str, *, error: ErrorType = ValueError
) -> NDArray[np.float64]:
    """An agree/disagree vote matrix: 2-D, entries in {+1 agree, -1 disagree, 0 pass, NaN unseen}.

    >>> check_vote_matrix([[1, -1, float("nan")]], "V", "consensus").shape
    (1, 3)
    >>> check_vote_matrix([[1, 2]], "V", "consensus")
    Traceback (most recent call last):
    ...
    ValueError: The 'V' parameter of consensus must be a vote matrix of +1 (agree), ...
    """
    V = check_matrix(value, name, func, allow_nan=True, error=error)
    bad = ~(np.isnan(V) | np.isin(V, (-1.0, 0.0, 1.0)))
    if bad.any():
        i, j = (int(x) for x in np.argwhere(bad)[0])
        expected = ("a vote matrix of +1 (agree), -1 (disagree), 0 (pass) or NaN (unseen); "
                    f"entry [{i}, {j}] is {show(V[i, j])}")
        raise parameter_error(name, func, expected, V, error)
    return V


def check_labels(
    value: Any,
    name: str,
    func: str,
    *,
    length: int | None = None,
    error: ErrorType = ValueError,
) -> list[Hashable]:
    """``value`` as a list of distinct hashable labels (of ``length`` items, if given).

    >>> check_labels(["a", "b"], "candidates", "Profile")
    ['a', 'b']
    >>> check_labels(["a", "a"], "candidates", "Profile")
    Traceback (most recent call last):
    ...
    ValueError: The 'candidates' parameter of Profile must be distinct labels; item 1 repeats ...
    """
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise parameter_error(name, func, "a sequence of labels", value, error)
    labels = [v.item() if isinstance(v, np.generic) else v for v in value]
    if length is not None and len(labels) != length:
        raise parameter_error(name, func, f"a sequence of {length} labels", labels, error)
    seen: dict[Hashable, int] = {}
    for i, label in enumerate(labels):
        if not isinstance(label, Hashable):
            raise parameter_error(
                name, func, f"hashable labels; item {i} is a {type(label).__name__}", labels, error
            )
        if label in seen:
            expected = f"distinct labels; item {i} repeats item {seen[label]} ({show(label)})"
            raise parameter_error(name, func, expected, labels, error)
        seen[label] = i
    return labels


def first_index(mask: NDArray[np.bool_]) -> tuple[int, ...]:
    """The index of the first ``True`` of ``mask`` (row-major), as a tuple of ints."""
    return tuple(int(x) for x in np.argwhere(mask)[0])

