"""A slow, obviously-correct reference scorer for the SVO slider measure.

Written straight from docs/reference.md §8 ("SVO slider measure") and the shipped JSON table, one
respondent at a time with plain Python, ``fractions`` and ``networkx``, and without looking at
the vectorised :func:`svo.score`. The tests compare the two.

An answer to an item is ``None``/NaN (missing), an option index 0–8, or a ``(self, other)``
payoff pair on the item's line (a printed option, or any point of the segment between the
item's endpoints).
"""

from __future__ import annotations

import json
import math
import numbers
from fractions import Fraction
from pathlib import Path

import networkx as nx

TABLE = json.loads(
    (Path(__file__).resolve().parents[2] / "svo" / "data" / "svo_slider_items.json").read_text(
        "utf-8"
    )
)
ITEMS = [[tuple(option) for option in item["options"]] for item in TABLE["items"]]
ENDPOINTS = [tuple(map(tuple, item["endpoints"])) for item in TABLE["items"]]
# e.g. "prosocial (85,85)" -> "prosocial"
ENDPOINT_TYPES = [
    tuple(label.split(" ")[0] for label in item["endpoint_reference_types"])
    for item in TABLE["items"][:6]
]
REFERENCE_POINTS = {
    "altruistic": (50, 100),
    "prosocial": (85, 85),
    "individualistic": (100, 50),
    "competitive": (85, 15),
}
SECONDARY_IDEAL_KEYS = {
    "inequality_aversion": "inequality_aversion",
    "joint_gain": "joint_gain",
    "individualistic": "individualist",
    "altruistic": "altruist",
}
SECONDARY_IDEALS = {
    name: [item["ideal_option_index_0based"][key] for item in TABLE["items"][6:]]
    for name, key in SECONDARY_IDEAL_KEYS.items()
}
# An allocation counts as on an item's line within this many payoff units (printed options
# are at most 0.5 off the exact line on each axis).
TOLERANCE = 1
# Band lower bounds, checked from the top: each band includes its lower bound.
BANDS = [
    ("altruistic", 57.15),
    ("prosocial", 22.45),
    ("individualistic", -12.04),
    ("competitive", -math.inf),
]


def is_missing(answer) -> bool:
    """``None``, a float NaN, or a payoff pair with both payoffs NaN."""
    if isinstance(answer, tuple | list):
        return all(is_missing(v) for v in answer)
    return answer is None or (isinstance(answer, float) and math.isnan(answer))


def exact(value) -> int | Fraction:
    """A number exactly: an int when it is integral (fast), else the float's Fraction."""
    return int(value) if float(value).is_integer() else Fraction(value)


def point_and_position(item: int, answer) -> tuple[tuple, int | Fraction]:
    """The payoff point of an answer to ``item`` (0-based) and its position 0–8 on the slider.

    An option index gives the printed option and that index. A payoff pair equal to a printed
    option gives that option's index; any other pair must lie within ``TOLERANCE`` payoff
    units (Euclidean) of the segment between the item's endpoints, and its position is where
    it projects on the segment (0 at the first endpoint, 8 at the second). The pair itself,
    not its projection, is the payoff. Exact arithmetic throughout (ints, and ``Fraction``
    for non-integral floats).
    """
    if isinstance(answer, tuple | list):
        if len(answer) != 2 or not all(math.isfinite(v) for v in answer):
            raise ValueError(f"item {item + 1}: {answer!r} is not a (self, other) payoff pair")
        s, o = (exact(v) for v in answer)
        for j, option in enumerate(ITEMS[item]):
            if (s, o) == option:
                return (s, o), j
        (s0, o0), (s1, o1) = ENDPOINTS[item]
        ds, do = s1 - s0, o1 - o0
        t = Fraction((s - s0) * ds + (o - o0) * do, ds * ds + do * do)
        t = min(max(t, 0), 1)
        if (s - (s0 + t * ds)) ** 2 + (o - (o0 + t * do)) ** 2 > TOLERANCE**2:
            raise ValueError(f"item {item + 1}: {answer!r} is not on the item's line")
        return (s, o), 8 * t
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise ValueError(f"item {item + 1}: {answer!r} is not an option index 0-8")
    if not (math.isfinite(answer) and answer == int(answer) and 0 <= answer <= 8):
        raise ValueError(f"item {item + 1}: option {answer!r} is not an option index 0-8")
    j = int(answer)
    return ITEMS[item][j], j


def category(angle: float) -> str | None:
    """The category of an angle (lower bounds inclusive); ``None`` for NaN."""
    if math.isnan(angle):
        return None
    for name, low in BANDS:
        if angle >= low:
            return name
    raise AssertionError("unreachable")


def preferences(points) -> list[tuple[str, str]]:
    """Strict pairwise preferences (winner, loser) expressed on the six primary items."""
    edges = []
    for item, (s, o) in enumerate(points):
        a, b = ENDPOINT_TYPES[item]
        (sa, oa), (sb, ob) = REFERENCE_POINTS[a], REFERENCE_POINTS[b]
        # The endpoints of every primary item are these reference allocations.
        assert ENDPOINTS[item] == (REFERENCE_POINTS[a], REFERENCE_POINTS[b])
        da = (s - sa) ** 2 + (o - oa) ** 2  # squared Euclidean distances, exact
        db = (s - sb) ** 2 + (o - ob) ** 2
        if da < db:
            edges.append((a, b))
        elif db < da:
            edges.append((b, a))
    return edges


def is_transitive(points) -> bool:
    """No cycle among the strict preferences of the six primary items."""
    graph = nx.DiGraph()
    graph.add_nodes_from(REFERENCE_POINTS)
    graph.add_edges_from(preferences(points))
    return nx.is_directed_acyclic_graph(graph)


def ia_index(positions) -> float:
    """D_IA / (D_IA + D_JG) over items 7–15, as the authors' ``SVO_Slider.m`` decides it.

    The four mean distances are sorted with a stable sort (MATLAB's ``sort``) in the order
    inequality aversion, joint gain, individualist, altruist; the index is reported when the
    first two sorted are IA and JG (in either order), so a tie for second place between JG (or
    IA) and another ideal reports it. NaN otherwise.
    """
    distance = {}
    for name, ideals in SECONDARY_IDEALS.items():
        terms = [Fraction(abs(p - i), 8) for p, i in zip(positions, ideals, strict=True)
                 if i is not None]
        distance[name] = sum(terms) / len(terms)
    order = ["inequality_aversion", "joint_gain", "individualistic", "altruistic"]
    nearest = sorted(order, key=lambda name: distance[name])  # Python's sort is stable too
    if set(nearest[:2]) == {"inequality_aversion", "joint_gain"}:
        ia, jg = distance["inequality_aversion"], distance["joint_gain"]
        return float(ia / (ia + jg))
    return math.nan


def score_one(answers) -> dict:
    """Score one respondent: 6 or 15 answers (option indices, payoff pairs or missing)."""
    answers = list(answers)
    if len(answers) not in (6, 15):
        raise ValueError(f"expected 6 or 15 answers, got {len(answers)}")
    resolved = [None if is_missing(a) else point_and_position(i, a) for i, a in enumerate(answers)]
    primary = resolved[:6]
    result = {
        "mean_self": math.nan,
        "mean_other": math.nan,
        "angle": math.nan,
        "category": None,
        "transitive": None,
        "ia_index": math.nan,
    }
    if any(r is None for r in primary):
        return result
    points = [point for point, _ in primary]
    mean_self = Fraction(sum(s for s, _ in points), 6)
    mean_other = Fraction(sum(o for _, o in points), 6)
    angle = math.degrees(math.atan(float(mean_other - 50) / float(mean_self - 50)))
    result.update(
        mean_self=float(mean_self),
        mean_other=float(mean_other),
        angle=angle,
        category=category(angle),
        transitive=is_transitive(points),
    )
    if len(resolved) == 15 and all(r is not None for r in resolved):
        result["ia_index"] = ia_index([position for _, position in resolved[6:]])
    return result


def score_rows(rows) -> list[dict]:
    """:func:`score_one` of each row."""
    return [score_one(row) for row in rows]
