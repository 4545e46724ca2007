"""The deliberation app at scale: results pages and a participant's answer, on SQLite.

A seeding script (:func:`large_tables`, written through ``Store.import_`` in one
transaction) builds a deliberation with 1,000 participants, 2,000 value cards in 5
contexts, 20,000 wiser votes, 50,000 statement votes on 100 statements, 3 prompts ranked by
every participant and everyone's SVO answers. Then:

- each results computation cold (the Store read and the domain computation a page makes on
  its first load) and each results page's run after the first load (Streamlit's AppTest,
  caches keyed on the data version hit: the goal is under 1 s);
- a participant's answer stored (statement vote, wiser vote, ranking): p50 / p99 over a few
  hundred writes by fresh participants (goal: under 50 ms).

Run on its own with ``python benchmarks/app_store.py`` (``--quick``: a tenth of the size).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _results import write_section  # noqa: E402

from deliberation import STEPS, Store  # noqa: E402

SIZES = {"participants": 1000, "cards": 2000, "wiser": 20_000, "statement_votes": 50_000,
         "statements": 100, "contexts": 5, "prompts": 3, "answers": 4}
PAGES = ("moral_graph", "statements", "rankings", "svo", "monitoring")


def _numbered(rows: list[dict[str, Any]]) -> Any:
    import pandas as pd

    return pd.DataFrame([{"id": i + 1, **row} for i, row in enumerate(rows)])


def large_tables(rng: np.random.Generator, scale: float = 1.0) -> dict[str, Any]:
    """Export tables of a large simulated deliberation (see the module docstring)."""
    import pandas as pd

    n = {k: max(int(v * scale), 2) if k in ("participants", "cards", "wiser", "statement_votes")
         else v for k, v in SIZES.items()}
    people, cards, contexts = n["participants"], n["cards"], n["contexts"]
    tables: dict[str, Any] = {"deliberation": pd.DataFrame([{
        "id": 1, "title": "Benchmark deliberation", "question": "How should the assistant help?",
        "consent_text": "Consent.", "consent_version": 1, "steps": list(STEPS),
        "demographics": [{"name": "age", "label": "age", "options": ["18-34", "35+"],
                          "required": False}],
        "settings": {"quotas": {"age": {"18-34": people // 2, "35+": people // 2}}},
        "is_open": True,
    }])}
    tables["contexts"] = _numbered([{"key": f"c{i}", "text": f"Context {i}"}
                                    for i in range(contexts)])
    tables["participants"] = _numbered([{
        "xid": None, "features": {"age": ["18-34", "35+"][p % 2]}, "consent_version": 1,
        "consented_at": None, "finished_at": None,
    } for p in range(people)])
    tables["statements"] = _numbered([{"participant_id": None, "text": f"Statement {s}.",
                                       "status": "approved"} for s in range(n["statements"])])
    tables["prompts"] = _numbered([{"text": f"Prompt {i}?"} for i in range(n["prompts"])])
    tables["answers"] = _numbered([{"prompt_id": i + 1, "text": f"Answer {j} to {i}.",
                                    "model": None}
                                   for i in range(n["prompts"]) for j in range(n["answers"])])
    card_context = np.arange(cards) % contexts
    tables["value_cards"] = _numbered([{
        "participant_id": int(c % people) + 1, "context_id": int(card_context[c]) + 1,
        "title": f"Value {c}", "description": f"Attend to thing {c}.",
        "policies": [f"THING {c}"], "model": None,
    } for c in range(cards)])
    tables["adoptions"] = _numbered([{"participant_id": int(c % people) + 1, "card_id": c + 1}
                                     for c in range(cards)])
    tables["wiser_votes"] = _wiser(rng, n["wiser"], people, card_context, contexts)
    tables["statement_votes"] = _statement_votes(rng, n["statement_votes"], people,
                                                 n["statements"])
    tables["rankings"] = _numbered([{
        "participant_id": p + 1, "prompt_id": i + 1,
        "answer_ids": [int(4 * i + a + 1) for a in np.argsort(
            -(np.arange(n["answers"])[::-1] + rng.gumbel(size=n["answers"])))],
    } for p in range(people) for i in range(n["prompts"])])
    tables["svo_responses"] = _numbered([
        {"participant_id": p + 1, "item": item + 1, "choice": int(rng.integers(9))}
        for p in range(people) for item in range(6)
    ])
    for name in ("messages", "survey_answers", "exposures"):
        tables[name] = _numbered([])
    tables["step_completions"] = _numbered([
        {"participant_id": p + 1, "step": step, "skipped": False, "completed_at": None}
        for p in range(people) for step in STEPS[: 1 + p % (len(STEPS) - 1)]
    ])
    return tables


def _wiser(rng: np.random.Generator, total: int, people: int, card_context: np.ndarray,
           contexts: int) -> Any:
    by_context = [np.flatnonzero(card_context == c) for c in range(contexts)]
    seen: set[tuple[int, int, int]] = set()
    rows = []
    while len(rows) < total:
        person = int(rng.integers(people))
        context = int(rng.integers(contexts))
        a, b = rng.choice(by_context[context], 2, replace=False)
        if (person, a, b) in seen:
            continue
        seen.add((person, a, b))
        verdict = "wiser" if b % 7 > a % 7 else ("unsure" if rng.random() < 0.1 else "not_wiser")
        rows.append({"participant_id": person + 1, "from_card_id": int(a) + 1,
                     "to_card_id": int(b) + 1, "context_id": context + 1, "verdict": verdict,
                     "reason": None})
    return _numbered(rows)


def _statement_votes(rng: np.random.Generator, total: int, people: int, statements: int) -> Any:
    per_person = total // people
    camp = rng.integers(3, size=people)
    rows = []
    for p in range(people):
        for s in rng.choice(statements, per_person, replace=False):
            agree = 0.8 if s % 3 == camp[p] else 0.3
            vote = 1 if rng.random() < agree else -1
            rows.append({"participant_id": p + 1, "statement_id": int(s) + 1, "vote": vote})
    return _numbered(rows)


def _cold(store: Store, d: int) -> list[tuple[str, float]]:
    """Seconds of each results computation from the database, nothing cached."""
    import socialchoice as sc
    import svo
    from deliberation import compare_rules, trl_pairs

    def moral_graph() -> None:
        graph = store.moral_graph(d)
        graph.legitimacy("c0", "flow", 5)
        graph.support_level("c0")

    def statements() -> None:
        sc.bridging.analyse_conversation(store.conversation(d), groups="ours", k=5,
                                         rule="consensus", top=5, rng=0)

    def rankings() -> None:
        prompts = store.prompt_rankings(d)
        for p in prompts:
            compare_rules(p.profile())
        trl_pairs(prompts)

    def svo_page() -> None:
        scored = svo.score(store.svo_survey(d).set_index("respondent"), errors="coerce")
        svo.plot_circle(scored)

    cases = [("moral graph: read + legitimacy + support (one context)", moral_graph),
             ("statements: read + groups, consensus, bridging slate", statements),
             ("rankings: read + 6 rules per prompt + TRL pairs", rankings),
             ("SVO: read + score + circle", svo_page),
             ("monitoring: funnel and quotas", lambda: store.monitoring(d))]
    out = []
    for label, fn in cases:
        t0 = time.perf_counter()
        fn()
        out.append((label, time.perf_counter() - t0))
    return out


def _pages() -> list[tuple[str, float, float]]:
    """(page, first run, best later run) seconds of each results page in AppTest."""
    from streamlit.testing.v1 import AppTest

    out = []
    for module in PAGES:
        app = AppTest.from_string(
            f"from deliberation.pages.results import {module}\n{module}.render()\n",
            default_timeout=600,
        )
        t0 = time.perf_counter()
        app.run()
        first = time.perf_counter() - t0
        if app.exception:
            raise RuntimeError(f"{module}: {[e.value for e in app.exception]}")
        later = []
        for _ in range(3):
            t0 = time.perf_counter()
            app.run()
            later.append(time.perf_counter() - t0)
        out.append((module, first, min(later)))
    return out


def _writes(store: Store, d: int, n: int) -> dict[str, list[float]]:
    """Milliseconds per answer stored, by kind, for ``n`` answers of each kind."""
    info = store.deliberation(d)
    statements = store.statements(d, "approved")["id"].tolist()
    cards = store.cards(d)
    pairs = cards[cards["context"] == "c0"]["id"].tolist()
    prompt = store.prompt_rankings(d)[0]
    times: dict[str, list[float]] = {"statement vote": [], "wiser vote": [], "ranking": []}
    for i in range(n):
        token = store.join(d, features={"age": "35+"})
        store.consent(token, info.consent_version)
        statement = int(statements[i % len(statements)])
        source, target = int(pairs[i % len(pairs)]), int(pairs[(i + 1) % len(pairs)])
        writes = {
            "statement vote": lambda t=token, s=statement: store.submit_statement_vote(t, s, 1),
            "wiser vote": lambda t=token, a=source, b=target: store.submit_wiser_vote(
                t, a, b, "c0", "wiser"),
            "ranking": lambda t=token: store.submit_ranking(
                t, prompt.prompt_id, list(prompt.answers)),
        }
        for kind, write in writes.items():
            t0 = time.perf_counter()
            write()
            times[kind].append(1000 * (time.perf_counter() - t0))
    return times


def app_store(quick: bool = False) -> list[str]:
    """The section: seeding, cold computations, page runs, answer latency."""
    scale = 0.1 if quick else 1.0
    folder = tempfile.mkdtemp(prefix="collective-bench-")
    url = f"sqlite:///{folder}/bench.db"
    os.environ["DATABASE_URL"] = url
    store = Store(url)
    tables = large_tables(np.random.default_rng(2026), scale)
    t0 = time.perf_counter()
    d = store.import_(tables).id
    seed = time.perf_counter() - t0
    sizes = {k: len(tables[k]) for k in ("participants", "value_cards", "wiser_votes",
                                         "statement_votes")}
    cold = _cold(store, d)
    pages = _pages()
    writes = _writes(store, d, 100 if quick else 300)
    store.close()
    lines = [
        "### Deliberation app on SQLite",
        "",
        f"One deliberation of {sizes['participants']:,} participants, "
        f"{sizes['value_cards']:,} value cards, {sizes['wiser_votes']:,} wiser votes and "
        f"{sizes['statement_votes']:,} statement votes (plus rankings, SVO answers and step "
        f"completions), seeded through `Store.import_` in one transaction in {seed:.1f} s.",
        "",
        "| results computation (cold, from the database) | seconds |",
        "|---|---:|",
        *[f"| {label} | {s:.2f} |" for label, s in cold],
        "",
        "| results page (AppTest) | first load (s) | after the first load (s) |",
        "|---|---:|---:|",
        *[f"| {page} | {first:.2f} | {later:.2f} |" for page, first, later in pages],
        "",
        "| a participant's answer stored | p50 (ms) | p99 (ms) |",
        "|---|---:|---:|",
        *[f"| {kind} | {np.percentile(ms, 50):.1f} | {np.percentile(ms, 99):.1f} |"
          for kind, ms in writes.items()],
        "",
        f"Pages cache their reads under the deliberation's data version ({len(writes['ranking'])} "
        "writes per kind, each by a fresh participant, one transaction each). The goals: a "
        "page under 1 s after the first load, an answer under 50 ms.",
    ]
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="a tenth of the size")
    write_section(app_store(ap.parse_args().quick))


if __name__ == "__main__":
    main()
