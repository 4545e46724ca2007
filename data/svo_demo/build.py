"""Build the synthetic SVO demo survey ``data/svo_demo_survey.csv`` (not real people's data).

Usage (from the repository root, with the toolkit importable, e.g. its ``.venv``)::

    python data/svo_demo/build.py            # write data/svo_demo_survey.csv
    python data/svo_demo/build.py --check    # exit 1 if the shipped file is out of date
    python data/svo_demo/build.py --out F    # write to another file

What it simulates, deterministically (``numpy.random.default_rng(SEED)``):

1. Two groups, ``students`` (160 respondents) and ``staff`` (140), as in a survey run in two
   populations of one university. Each respondent is one of the four ideal types of the
   slider measure (Murphy et al. 2011), drawn from the group's mixture ``WEIGHTS``: staff
   are more often prosocial, students more often individualistic or competitive.
2. Primary items 1–6: the type's ideal answers (:data:`svo.IDEAL_CHOICES`). Secondary items
   7–15 (:data:`svo.SECONDARY_IDEALS`): altruists and individualists answer as their ideal;
   competitors maximise ``self - other``, which on these items picks the individualist's
   options; prosocials are split (``PROSOCIAL_SPLIT``) into inequality-averse respondents
   and joint-gain maximisers. A joint-gain maximiser is indifferent on items 8, 11 and 13
   (constant joint payoff) and takes the inequality-averse option there.
3. Answer noise on every item: the option index moves by ``NOISE_STEPS`` with probabilities
   ``NOISE_PROBS`` (most answers exact, some one step off, a few two), clipped to 0–8.
4. ``N_INCONSISTENT`` respondents (3%) answer every item uniformly at random instead.
5. Blank answers: ``N_MISSING_PRIMARY`` respondents leave one primary item blank (they cannot
   be scored), ``N_MISSING_SECONDARY`` leave one or two secondary items blank.
6. An ``age_band`` per respondent from the group's ``AGE_BANDS`` distribution.
7. Rows in random order, ids ``r001`` … ``r300`` in that order.

The file is wide, UTF-8, LF line endings: ``respondent, group, age_band, item1 … item15``
(option indices 0–8 from left to right as printed; blank = missing). The latent type is not in
the file; :func:`simulate` returns it (columns ``type``, ``secondary``, ``inconsistent``) for
evaluation, e.g. in the tests.

Licence of the data and of this script: CC0 1.0 (see README.md).
"""

from __future__ import annotations

import argparse
import csv
import io
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:  # run as a script from a checkout: import the toolkit's svo
    sys.path.insert(0, str(ROOT))

import svo  # noqa: E402

OUT = ROOT / "data" / "svo_demo_survey.csv"
SEED = 2011
TYPES = svo.CATEGORIES  # the latent types: altruistic, prosocial, individualistic, competitive
GROUPS = {"students": 160, "staff": 140}
WEIGHTS = {  # mixture over TYPES per group
    "students": (0.04, 0.46, 0.40, 0.10),
    "staff": (0.06, 0.66, 0.24, 0.04),
}
AGE_BANDS = {
    "students": {"18-24": 0.75, "25-34": 0.25},
    "staff": {"25-34": 0.25, "35-44": 0.30, "45-54": 0.25, "55-64": 0.20},
}
PROSOCIAL_SPLIT = {"inequality_aversion": 0.6, "joint_gain": 0.4}
NOISE_STEPS = (-2, -1, 0, 1, 2)
NOISE_PROBS = (0.025, 0.125, 0.70, 0.125, 0.025)
N_INCONSISTENT = 9
N_MISSING_PRIMARY = 2
N_MISSING_SECONDARY = 5
COLUMNS = ("respondent", "group", "age_band", *svo.ITEM_COLUMNS)

log = logging.getLogger("svo_demo.build")


def secondary_ideals() -> dict[str, np.ndarray]:
    """Ideal options (0-based) on items 7–15 of every simulated secondary type."""
    ideals = svo.SECONDARY_IDEALS
    payoffs = np.asarray(svo.ITEMS[svo.N_PRIMARY:], dtype=float)
    competitive = np.argmax(payoffs[:, :, 0] - payoffs[:, :, 1], axis=1)  # unique maxima here
    joint = np.where(np.isnan(ideals["joint_gain"]), ideals["inequality_aversion"],
                     ideals["joint_gain"])
    return {
        "altruistic": ideals["altruistic"],
        "inequality_aversion": ideals["inequality_aversion"],
        "joint_gain": joint,
        "individualistic": ideals["individualistic"],
        "competitive": competitive.astype(float),
    }


def simulate(seed: int = SEED):
    """The simulated respondents, latent types included, as a pandas DataFrame.

    Columns: ``respondent, group, age_band, item1 … item15`` (floats, NaN = blank) and the
    latent ``type`` (one of :data:`TYPES`), ``secondary`` (the secondary ideal answered, or
    ``'random'``) and ``inconsistent`` (answered uniformly at random).
    """
    import pandas as pd

    rng = np.random.default_rng(seed)
    ideals = secondary_ideals()
    group = np.repeat(list(GROUPS), list(GROUPS.values()))
    n = len(group)
    kind = np.empty(n, dtype=object)
    age = np.empty(n, dtype=object)
    for name in GROUPS:
        rows = np.flatnonzero(group == name)
        kind[rows] = rng.choice(TYPES, size=len(rows), p=WEIGHTS[name])
        bands = AGE_BANDS[name]
        age[rows] = rng.choice(list(bands), size=len(rows), p=list(bands.values()))
    secondary = kind.copy()
    prosocial = np.flatnonzero(kind == "prosocial")
    secondary[prosocial] = rng.choice(list(PROSOCIAL_SPLIT), size=len(prosocial),
                                      p=list(PROSOCIAL_SPLIT.values()))
    ideal = np.array([[*svo.IDEAL_CHOICES[k], *ideals[s]] for k, s in zip(kind, secondary,
                                                                         strict=True)])
    noise = rng.choice(NOISE_STEPS, size=ideal.shape, p=NOISE_PROBS)
    answers = np.clip(ideal + noise, 0, svo.N_OPTIONS - 1).astype(float)
    inconsistent = np.zeros(n, dtype=bool)
    inconsistent[rng.choice(n, size=N_INCONSISTENT, replace=False)] = True
    answers[inconsistent] = rng.integers(0, svo.N_OPTIONS, size=(N_INCONSISTENT, svo.N_ITEMS))
    secondary[inconsistent] = "random"
    # blanks, among the consistent respondents
    blank = rng.choice(np.flatnonzero(~inconsistent), N_MISSING_PRIMARY + N_MISSING_SECONDARY,
                       replace=False)
    for row in blank[:N_MISSING_PRIMARY]:
        answers[row, rng.integers(0, svo.N_PRIMARY)] = np.nan
    for row in blank[N_MISSING_PRIMARY:]:
        count = rng.integers(1, 3)
        answers[row, rng.choice(np.arange(svo.N_PRIMARY, svo.N_ITEMS), count, replace=False)] = (
            np.nan
        )
    order = rng.permutation(n)
    frame = pd.DataFrame(answers[order], columns=list(svo.ITEM_COLUMNS))
    frame.insert(0, "age_band", age[order])
    frame.insert(0, "group", group[order])
    frame.insert(0, "respondent", [f"r{i:03d}" for i in range(1, n + 1)])
    frame["type"] = kind[order]
    frame["secondary"] = secondary[order]
    frame["inconsistent"] = inconsistent[order]
    return frame


def render(seed: int = SEED) -> bytes:
    """The bytes of the survey CSV: wide, UTF-8, LF line endings, blank = missing."""
    frame = simulate(seed)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in frame[list(COLUMNS)].itertuples(index=False):
        writer.writerow([*row[:3], *("" if np.isnan(v) else int(v) for v in row[3:])])
    return buffer.getvalue().encode("utf-8")


def build(out: Path = OUT, seed: int = SEED) -> Path:
    """Write the survey to ``out`` and return the path."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(render(seed))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"output file (default: {OUT})")
    parser.add_argument(
        "--check", action="store_true", help="do not write; fail if the file at --out differs"
    )
    args = parser.parse_args(argv)
    if args.check:
        if not args.out.is_file() or args.out.read_bytes() != render():
            log.error("Out of date: %s. Run data/svo_demo/build.py.", args.out)
            return 1
        log.info("Up to date: %s", args.out)
        return 0
    log.info("wrote %s", build(args.out))
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    sys.exit(main())
