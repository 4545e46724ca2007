"""The demo deliberation the app opens on a fresh database, so every results page shows data.

:func:`seed_demo` builds it when the database holds no deliberation: the question, contexts,
value cards and simulated wiser votes of ``data/moralgraph_demo`` (see its README), the 30
candidate statements and 120 written opinions of ``data/assistant_opinions`` (the opinions
become the participants' chat turns), three prompts with hand-written answers, and simulated
participants who vote on statements, rank the answers and answer the SVO sliders. Everything
is simulated or written for the project: no real person's data. The tables are built in
memory (:func:`demo_tables`) and written by :meth:`Store.import_` in one transaction.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._records import STEPS
from ._setup import DEFAULT_CONSENT

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from ._records import DeliberationInfo
    from ._store import Store

__all__ = ["DEMO_PARTICIPANTS", "demo_tables", "seed_demo"]

_DATA = Path(__file__).resolve().parents[1] / "data"
#: Simulated participants (one per demo opinion); the first 50 are the moral-graph voters.
DEMO_PARTICIPANTS = 120
#: Participants who stop before the end (the last ones), for the monitoring page.
_DROPOUTS = 18
_FORM = [
    {"name": "age", "label": "Age group", "options": ["18-34", "35-54", "55+"]},
    {"name": "region", "label": "Region", "options": ["Europe", "Americas", "Asia", "Other"]},
]
_QUOTAS = {"age": {"18-34": 40, "35-54": 40, "55+": 40}}
_PROMPTS = [
    ("I got into a master's programme abroad but my mother is ill. Should I go?", [
        "Only you can decide, but it may help to separate what you fear from what you know: "
        "how ill is your mother, who else can help, and could you defer a year? Would you "
        "like to go through those together?",
        "You should go. Opportunities like this don't come twice and your mother would want "
        "you to live your life.",
        "Stay. Family comes first, and you would regret not being there.",
        "That sounds really hard. Before weighing options: how are you holding up? We can "
        "take it one piece at a time.",
    ]),
    ("Just tell me: should I quit my job to start a bakery?", [
        "I can't know what is right for you, but I can help you test it: what would have to "
        "be true for the bakery to work, and what is the smallest step to find out?",
        "Yes! Follow your dream.",
        "Statistically most small food businesses fail in five years, so no.",
        "Let's look at your savings, the risk you can live with, and what you'd miss most "
        "about each path; then you decide with a clearer picture.",
    ]),
    ("I'm panicking, I have to answer a job offer by tonight and I can't think.", [
        "Let's slow down for a moment. Take a breath. What is the one thing about this offer "
        "that worries you most?",
        "Accept it; you can always quit later.",
        "Here is a 12-point decision matrix with weights for salary, commute, growth, "
        "culture, benefits, ...",
        "You could also ask them for one more day; most employers agree. Would that help?",
    ]),
]
# How good each answer is (larger is better), per prompt, for the simulated rankings.
_QUALITY = [[2.0, 0.3, 0.0, 1.6], [2.0, 0.2, 0.4, 1.7], [1.8, 0.1, 0.0, 1.5]]
_CAMP_AGREE = {"same": 0.85, "bridging": 0.7, "other": 0.25}


def seed_demo(store: Store, *, rng: Any = 16) -> DeliberationInfo | None:
    """Create the demo deliberation if the database holds none; return it (else None).

    Examples
    --------
    >>> from deliberation import Store
    >>> store = Store("sqlite://")
    >>> demo = seed_demo(store)
    >>> demo.title, seed_demo(store) is None
    ('Demo: help with a hard personal decision', True)
    """
    if store.deliberations():
        return None
    # Several app instances may start at once on an empty database: one of them imports.
    return store.import_if_empty(demo_tables(rng))


def demo_tables(rng: Any = 16) -> dict[str, pd.DataFrame]:
    """The demo deliberation as export tables (:meth:`Store.export`'s layout)."""
    import numpy as np
    import pandas as pd

    generator = np.random.default_rng(rng)
    folder = _DATA / "moralgraph_demo"
    contexts = json.loads((folder / "contexts.json").read_text())
    cards = json.loads((folder / "cards.json").read_text())
    votes = json.loads((folder / "graph.json").read_text())["votes"]
    opinions = pd.read_csv(_DATA / "assistant_opinions" / "opinions.csv")
    pool = pd.read_csv(_DATA / "assistant_opinions" / "pool.csv")
    start = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)

    tables: dict[str, pd.DataFrame] = {}
    tables["deliberation"] = pd.DataFrame([{
        "id": 1, "title": "Demo: help with a hard personal decision",
        "question": (folder / "question.txt").read_text().strip(),
        "consent_text": DEFAULT_CONSENT, "consent_version": 1, "steps": list(STEPS),
        "demographics": _FORM, "settings": {"demo": True, "quotas": _QUOTAS}, "is_open": True,
    }])
    context_ids = {c["id"]: i + 1 for i, c in enumerate(contexts)}
    tables["contexts"] = pd.DataFrame(
        [{"id": i, "key": key, "text": c["text"]}
         for c, (key, i) in zip(contexts, context_ids.items(), strict=True)]
    )
    last_step = _last_steps(generator)
    people, completions = _participants(generator, start, last_step)
    tables["participants"] = people
    statements = [{"id": i + 1, "participant_id": None, "text": t, "status": "approved"}
                  for i, t in enumerate(pool["statement"])]
    statements += [
        {"id": len(statements) + 1, "participant_id": 7, "status": "pending",
         "text": "The assistant should say plainly when it does not know."},
        {"id": len(statements) + 2, "participant_id": 12, "status": "pending",
         "text": "The assistant should remind people that the decision is theirs."},
    ]
    tables["statements"] = pd.DataFrame(statements)
    tables["prompts"] = pd.DataFrame(
        [{"id": i + 1, "text": t} for i, (t, _) in enumerate(_PROMPTS)]
    )
    tables["answers"] = pd.DataFrame([
        {"id": 4 * i + j + 1, "prompt_id": i + 1, "text": a, "model": None}
        for i, (_, answers) in enumerate(_PROMPTS) for j, a in enumerate(answers)
    ])
    card_ids = {c["id"]: i + 1 for i, c in enumerate(cards)}
    tables["value_cards"] = pd.DataFrame([{
        "id": card_ids[c["id"]], "participant_id": _person(c["authors"][0]),
        "context_id": context_ids[c["context"]], "title": c["title"],
        "description": c["description"], "policies": c["policies"], "model": None,
    } for c in cards])
    tables["adoptions"] = _numbered([
        {"participant_id": _person(a), "card_id": card_ids[c["id"]]}
        for c in cards for a in c["authors"]
    ])
    tables["wiser_votes"] = _numbered([{
        "participant_id": _person(v["participant"]), "from_card_id": card_ids[v["from_value"]],
        "to_card_id": card_ids[v["to_value"]], "context_id": context_ids[v["context"]],
        "verdict": v["verdict"], "reason": v["reason"],
    } for v in votes])
    reached = {p: STEPS.index(s) for p, s in last_step.items()}
    camps = list(opinions["camp"])
    tables["statement_votes"] = _statement_votes(generator, pool, camps, reached)
    tables["rankings"] = _rankings(generator, reached)
    tables["svo_responses"] = _svo(generator, reached)
    tables["messages"] = _numbered([
        {"participant_id": p, "role": "user", "content": text, "model": None,
         "prompt_version": None}
        for p, text in enumerate(opinions["opinion"], start=1)
        if reached[p] > STEPS.index("chat")
    ])
    tables["survey_answers"] = _numbered([])
    tables["step_completions"] = completions
    tables["exposures"] = _numbered([])
    return tables


def _person(name: str) -> int:
    """The participant id of a moral-graph demo voter ``p0``, ``p1``, … (1, 2, …)."""
    return int(name[1:]) + 1


def _numbered(rows: list[dict[str, Any]]) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame([{"id": i + 1, **row} for i, row in enumerate(rows)])


def _last_steps(generator: np.random.Generator) -> dict[int, str]:
    """Each participant's next step: "thanks" for those who finished, else where they stop.

    The moral-graph voters (the first 50) all reached past the wiser step.
    """
    stops = ["demographics", "chat", "value_card", "wiser", "statements", "rankings", "svo"]
    last = dict.fromkeys(range(1, DEMO_PARTICIPANTS + 1), "thanks")
    for p in range(DEMO_PARTICIPANTS - _DROPOUTS + 1, DEMO_PARTICIPANTS + 1):
        last[p] = stops[int(generator.integers(len(stops)))]
    return last


def _participants(
    generator: np.random.Generator, start: datetime, last_step: dict[int, str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The participants (features, times) and their step completions with durations."""
    import pandas as pd

    minutes = {"consent": 1, "demographics": 1, "chat": 6, "value_card": 4, "wiser": 5,
               "statements": 5, "rankings": 4, "svo": 2}
    people, done = [], []
    for p, last in last_step.items():
        joined = start + timedelta(hours=float(generator.uniform(0, 120)))
        age = ["18-34", "35-54", "55+"][int(generator.choice(3, p=[0.5, 0.35, 0.15]))]
        region = _FORM[1]["options"][int(generator.integers(4))]
        when = joined
        for step in STEPS[: STEPS.index(last)]:
            when += timedelta(minutes=minutes[step] * float(generator.lognormal(0, 0.4)))
            skipped = step == "chat" and generator.random() < 0.1
            done.append({"participant_id": p, "step": step, "skipped": skipped,
                         "completed_at": when})
        people.append({
            "id": p, "xid": None, "features": {"age": age, "region": region},
            "consent_version": 1, "consented_at": joined + timedelta(minutes=1),
            "finished_at": when if last == "thanks" else None, "created_at": joined,
        })
    return pd.DataFrame(people), _numbered(done)


def _statement_votes(
    generator: np.random.Generator, pool: pd.DataFrame, camps: list[str], reached: dict
) -> pd.DataFrame:
    """Agree with one's own camp's statements and the bridging ones; a few passes."""
    rows = []
    for p, camp in enumerate(camps, start=1):
        if reached[p] <= STEPS.index("statements"):
            continue
        seen = generator.permutation(len(pool))[: int(generator.integers(15, len(pool) + 1))]
        for s in sorted(seen):
            intended = pool["intended_camp"].iloc[s]
            kind = "same" if intended == camp else "bridging" if intended == "bridging" else "other"
            if generator.random() < 0.08:
                vote = 0
            else:
                vote = 1 if generator.random() < _CAMP_AGREE[kind] else -1
            rows.append({"participant_id": p, "statement_id": int(s) + 1, "vote": vote})
    return _numbered(rows)


def _rankings(generator: np.random.Generator, reached: dict) -> pd.DataFrame:
    """Rankings drawn from a Plackett–Luce model around each answer's quality."""
    import numpy as np

    rows = []
    for p, step in reached.items():
        if step <= STEPS.index("rankings"):
            continue
        for i, quality in enumerate(_QUALITY):
            noisy = np.asarray(quality) + generator.gumbel(size=len(quality))
            order = [4 * i + int(j) + 1 for j in np.argsort(-noisy)]
            rows.append({"participant_id": p, "prompt_id": i + 1, "answer_ids": order})
    return _numbered(rows)


def _svo(generator: np.random.Generator, reached: dict) -> pd.DataFrame:
    """The six primary items, near one of the four ideal types (mostly prosocial)."""
    import svo

    types = list(svo.IDEAL_CHOICES)
    shares = [0.08, 0.6, 0.28, 0.04]  # altruistic, prosocial, individualistic, competitive
    rows = []
    for p, step in reached.items():
        if step <= STEPS.index("svo"):
            continue
        ideal = svo.IDEAL_CHOICES[types[int(generator.choice(4, p=shares))]]
        for item, option in enumerate(ideal, start=1):
            jitter = int(generator.integers(-1, 2)) if generator.random() < 0.3 else 0
            choice = min(max(option + jitter, 0), svo.N_OPTIONS - 1)
            rows.append({"participant_id": p, "item": item, "choice": choice})
    return _numbered(rows)
