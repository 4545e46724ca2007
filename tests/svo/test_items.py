"""svo.ITEMS and the constants of the slider form against the shipped table and the paper."""

from __future__ import annotations

import itertools
import json
import math
import tomllib
from fractions import Fraction
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

import svo

from . import reference as ref

ROOT = Path(__file__).resolve().parents[2]
TABLE = json.loads((ROOT / "svo" / "data" / "svo_slider_items.json").read_text("utf-8"))


def half_up(x: Fraction) -> int:
    return math.floor(x + Fraction(1, 2))


def interpolated(item: int) -> list[list[Fraction]]:
    """The exact 8-step interpolation between an item's endpoints, (9, 2)."""
    (s0, o0), (s1, o1) = TABLE["items"][item]["endpoints"]
    return [[s0 + Fraction(j * (s1 - s0), 8), o0 + Fraction(j * (o1 - o0), 8)] for j in range(9)]


def test_items_equal_the_json_table():
    assert svo.ITEMS.shape == (15, 9, 2)
    assert svo.ITEMS.dtype.kind == "i"
    assert svo.ITEMS.tolist() == [item["options"] for item in TABLE["items"]]
    assert [item["id"] for item in TABLE["items"]] == list(range(1, 16))
    assert [item["kind"] for item in TABLE["items"]] == ["primary"] * 6 + ["secondary"] * 9
    for k, item in enumerate(TABLE["items"]):  # the endpoints are the first and last options
        assert item["endpoints"] == [item["options"][0], item["options"][-1]], k + 1


def test_items_are_read_only():
    assert not svo.ITEMS.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        svo.ITEMS[0, 0, 0] = 0
    for ideal in svo.SECONDARY_IDEALS.values():
        assert not ideal.flags.writeable


def test_printed_options_are_the_interpolation_rounded_half_up():
    for k in range(15):
        exact = interpolated(k)
        assert [[half_up(v) for v in option] for option in exact] == svo.ITEMS[k].tolist(), k + 1
        assert TABLE["items"][k]["linear_interp_round_half_up_matches_print"] is True


def test_python_round_does_not_reproduce_the_print():
    misses = [
        (k + 1, j, "self" if a == 0 else "other")
        for k in range(15)
        for j, option in enumerate(interpolated(k))
        for a, value in enumerate(option)
        if round(float(value)) != svo.ITEMS[k, j, a]
    ]
    assert len(misses) == 25
    assert (1, 6, "other") in misses  # 32.5 is printed 33; round(32.5) == 32
    assert round(32.5) == 32 and svo.ITEMS[0, 6, 1] == 33


def test_columns_and_sizes():
    assert (svo.N_ITEMS, svo.N_PRIMARY, svo.N_OPTIONS) == (15, 6, 9)
    assert svo.ITEM_COLUMNS == tuple(f"item{i}" for i in range(1, 16))
    assert svo.PRIMARY_COLUMNS == svo.ITEM_COLUMNS[:6]
    assert svo.CATEGORIES == ("altruistic", "prosocial", "individualistic", "competitive")
    assert "Murphy" in svo.REFERENCE and "771" in svo.REFERENCE


def test_category_bounds_are_contiguous_bands():
    bounds = [svo.CATEGORY_BOUNDS[c] for c in svo.CATEGORIES]
    assert bounds[0][1] == math.inf and bounds[-1][0] == -math.inf
    for (low, _), (_, high) in itertools.pairwise(bounds):
        assert low == high
    assert [low for low, _ in bounds[:3]] == [57.15, 22.45, -12.04]


def test_ideal_choices_reproduce_the_ideal_angles():
    assert list(svo.IDEAL_CHOICES) == list(svo.CATEGORIES) == list(svo.IDEAL_ANGLES)
    assert svo.IDEAL_ANGLES == {"altruistic": 61.39, "prosocial": 37.48,
                                "individualistic": -7.82, "competitive": -16.26}
    for name, choices in svo.IDEAL_CHOICES.items():
        want = ref.score_one(list(choices))
        assert round(want["angle"], 2) == svo.IDEAL_ANGLES[name]
        assert want["category"] == name and want["transitive"] is True
        assert round(svo.score(list(choices))["angle"].iloc[0], 2) == svo.IDEAL_ANGLES[name]


def test_ideal_choices_follow_the_stated_rules():
    primary = svo.ITEMS[:6].astype(int)
    s, o = primary[..., 0], primary[..., 1]
    rules = {
        "altruistic": o,  # maximise the other's payoff
        "prosocial": -np.abs(s - o),  # minimise |self - other|
        "individualistic": s,  # maximise one's own payoff
        "competitive": s - o,  # maximise the advantage over the other
    }
    for name, value in rules.items():
        chosen = np.array(svo.IDEAL_CHOICES[name])
        assert (value[np.arange(6), chosen] == value.max(axis=1)).all(), name
        best = value == value.max(axis=1, keepdims=True)
        for k in range(6):
            if best[k].sum() > 1:  # a tie: only the individualist on item 1
                assert (name, k) == ("individualistic", 0)
                assert best[k].all()  # every option of item 1 gives self 85
                assert tuple(svo.ITEMS[0, chosen[0]]) == (85, 15)  # the tie goes to (85, 15)
            else:
                assert best[k, chosen[k]]


def test_primary_endpoints_are_the_reference_allocations():
    from svo._items import ENDPOINT_TYPES

    pairs = set()
    for k, (first, second) in enumerate(ENDPOINT_TYPES):
        assert tuple(svo.ITEMS[k, 0]) == ref.REFERENCE_POINTS[first]
        assert tuple(svo.ITEMS[k, -1]) == ref.REFERENCE_POINTS[second]
        pairs.add(frozenset((first, second)))
    assert len(pairs) == 6  # the six items compare every pair of the four references


def test_secondary_ideals_match_the_design_and_their_rules():
    one_based = {  # docs/reference.md §8, items 7…15, None where undefined
        "inequality_aversion": [6, 5, 4, 7, 5, 8, 5, 3, 2],
        "joint_gain": [9, None, 1, 9, None, 9, None, 1, 1],
        "individualistic": [1, 9, 1, 1, 9, 9, 9, 1, 9],
        "altruistic": [9, 1, 9, 9, 1, 1, 1, 9, 1],
    }
    assert list(svo.SECONDARY_IDEALS) == list(one_based)
    for name, ideals in one_based.items():
        want = [np.nan if i is None else i - 1 for i in ideals]
        np.testing.assert_array_equal(svo.SECONDARY_IDEALS[name], want)
    secondary = svo.ITEMS[6:].astype(int)
    s, o = secondary[..., 0], secondary[..., 1]
    rules = {"inequality_aversion": -np.abs(s - o), "joint_gain": s + o,
             "individualistic": s, "altruistic": o}
    for name, value in rules.items():
        for k, ideal in enumerate(svo.SECONDARY_IDEALS[name]):
            if np.isnan(ideal):  # joint gain: the joint payoff is constant up to rounding
                assert value[k].max() - value[k].min() <= 1
            else:
                assert np.flatnonzero(value[k] == value[k].max()).tolist() == [int(ideal)]


def test_item_table():
    table = svo.item_table()
    assert table.shape == (135, 5)
    assert list(table.columns) == ["item", "kind", "option", "self", "other"]
    assert table["item"].tolist() == [i for i in range(1, 16) for _ in range(9)]
    assert table["option"].tolist() == list(range(9)) * 15
    assert (table["kind"] == "primary").sum() == 54
    assert table[["self", "other"]].to_numpy().tolist() == svo.ITEMS.reshape(-1, 2).tolist()


def test_package_data_is_shipped():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["svo"]
    shipped = [p for pattern in patterns for p in (ROOT / "svo").glob(pattern)]
    assert ROOT / "svo" / "data" / "svo_slider_items.json" in shipped
    packaged = resources.files("svo").joinpath("data/svo_slider_items.json")
    assert json.loads(packaged.read_text("utf-8")) == TABLE
    assert "svo*" in config["tool"]["setuptools"]["packages"]["find"]["include"]


def test_the_package_exports_the_form_and_every_listed_name():
    from svo import _items

    assert set(_items.__all__) <= set(svo.__all__)
    assert len(svo.__all__) == len(set(svo.__all__))
    for name in svo.__all__:
        assert getattr(svo, name) is not None, name
    assert svo.PRIMARY_COLUMNS is _items.PRIMARY_COLUMNS
    assert "ENDPOINT_TYPES" not in vars(svo)  # private to the form module
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        svo.nothing
