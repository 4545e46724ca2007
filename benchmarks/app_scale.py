"""The app on two instances over one PostgreSQL: a load test through the service layer.

A PostgreSQL server is started on a free localhost port (``tests/_postgres.py``, the test
suite's helper) and holds one deliberation (3 contexts with 4 value cards each, 20
statements, 3 prompts of 4 answers). Two OS processes stand for two ``streamlit run app.py``
instances: each opens its own :class:`deliberation.Store` (its own connection pool) and
runs half of 200 simulated participants, one thread each, arriving over the first 20 s.
Each participant joins (with an external id), consents, writes a value card, gives 3
wiser votes, votes on 8 statements, ranks the 3 prompts' answers and answers the SVO
sliders, pausing 0.5-3.5 s (uniform) before each write, like a person reading a screen.
The run is bounded: nothing is written after 60 s, and the processes are stopped if they
outlive that by two minutes.

Measured: each kind of write's latency as the participant sees it (p50, p99, max; the call
to the Store, waiting for a pooled connection included), writes per second, and, from
``Store.export`` at the end, **lost writes** (acknowledged writes missing from the
database or holding another value) and **duplicated rows** (an answer stored twice).

Run on its own with ``python benchmarks/app_scale.py`` (``--quick``: 20 participants for
5 s, quick pauses).
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _results import write_section  # noqa: E402

TITLE = "### The app on two instances over PostgreSQL"
KINDS = ("join", "consent", "value card", "wiser vote", "statement vote", "ranking", "svo")
#: Seconds the instances get to start (import, open the store) before the load begins.
START_TIMEOUT = 120.0
#: Seconds past the load's end before unfinished instance processes are stopped.
GRACE = 120.0


@dataclass(frozen=True)
class Plan:
    """How many participants, for how long, at which pace."""

    participants: int = 200
    seconds: float = 60.0
    arrive_within: float = 20.0
    pause: tuple[float, float] = (0.5, 3.5)
    statements_each: int = 8
    wiser_each: int = 3
    instances: int = 2


FULL = Plan()
QUICK = Plan(participants=20, seconds=5.0, arrive_within=1.0, pause=(0.02, 0.2),
             statements_each=4, wiser_each=2)


@dataclass
class Load:
    """What one instance (or all of them, merged) did: latencies, acknowledged writes."""

    latency: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    acks: list[tuple[Any, ...]] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    finished: int = 0
    seconds: float = 0.0

    def merge(self, other: Load) -> None:
        for kind, ms in other.latency.items():
            self.latency[kind].extend(ms)
        self.acks.extend(other.acks)
        self.errors.extend(other.errors)
        self.finished += other.finished
        self.seconds = max(self.seconds, other.seconds)


def seed(url: str) -> dict[str, Any]:
    """The benchmark's deliberation; what the simulated participants need to know of it."""
    from deliberation import Store

    store = Store(url)
    try:
        contexts = [f"Context {c}" for c in range(3)]
        d = store.create_deliberation(
            "How should the assistant help a user facing a hard decision?",
            title="Load test", contexts=contexts,
            statements=[f"Statement {s}." for s in range(20)],
            prompts=[(f"Prompt {p}?", [f"Answer {a} to {p}." for a in range(4)])
                     for p in range(3)],
        )
        author = store.join(d.id, xid="author")
        store.consent(author, d.consent_version)
        cards = {c: [store.submit_value_card(author, f"Seed {c} {i}", "A seeded card.",
                                             [f"thing {i}"], c) for i in range(4)]
                 for c in contexts}
        tables = store.export(d.id)
        answers = tables["answers"]
        return {
            "deliberation": d.id, "cards": cards,
            "statements": [int(i) for i in tables["statements"]["id"]],
            "prompts": {int(p): [int(a) for a in answers[answers["prompt_id"] == p]["id"]]
                        for p in tables["prompts"]["id"]},
        }
    finally:
        store.close()


def _session(store: Any, setup: dict[str, Any], xid: str, rng: np.random.Generator,
             plan: Plan, deadline: float, load: Load, lock: threading.Lock) -> None:
    """One simulated participant: every write timed and, once acknowledged, recorded."""

    def write(kind: str, call: Callable[[], Any], ack: Callable[[Any], tuple[Any, ...]]) -> Any:
        time.sleep(rng.uniform(*plan.pause))
        if time.monotonic() >= deadline:
            raise TimeoutError
        t0 = time.perf_counter()
        try:
            result = call()
        except Exception as error:  # a failed write is counted, never hidden
            with lock:
                load.errors.append((kind, f"{type(error).__name__}: {error}"))
            raise
        ms = 1000 * (time.perf_counter() - t0)
        with lock:
            load.latency[kind].append(ms)
            load.acks.append((kind, xid, *ack(result)))
        return result

    d = setup["deliberation"]
    token = write("join", lambda: store.join(d, xid=xid), lambda _: ())
    write("consent", lambda: store.consent(token, 1), lambda _: ())
    context = str(rng.choice(list(setup["cards"])))
    card = write("value card", lambda: store.submit_value_card(
        token, f"Card of {xid}", "What I would attend to.", ["the person's own choice"],
        context), lambda r: (int(r),))
    for source in rng.choice(setup["cards"][context], plan.wiser_each, replace=False):
        verdict = str(rng.choice(["wiser", "not_wiser", "unsure"]))
        write("wiser vote", lambda s=int(source), v=verdict: store.submit_wiser_vote(
            token, s, card, context, v), lambda r, s=int(source), v=verdict: (r, s, card, v))
    for statement in rng.choice(setup["statements"], plan.statements_each, replace=False):
        vote = int(rng.choice([1, -1, 0]))
        write("statement vote", lambda s=int(statement), v=vote: store.submit_statement_vote(
            token, s, v), lambda r, s=int(statement), v=vote: (r, s, v))
    for prompt, answers in setup["prompts"].items():
        order = [int(a) for a in rng.permutation(answers)]
        write("ranking", lambda p=prompt, o=order: store.submit_ranking(token, p, o),
              lambda r, p=prompt, o=order: (r, p, tuple(o)))
    choices = [int(c) for c in rng.integers(0, 9, size=6)]
    write("svo", lambda: store.submit_svo(token, choices), lambda r: (tuple(r), tuple(choices)))
    with lock:
        load.finished += 1


def run_instance(url: str, name: str, setup: dict[str, Any], plan: Plan, seed_: int,
                 count: int, ready: Any = None) -> Load:
    """One instance's share: its own Store, ``count`` participants in threads.

    ``ready`` (a barrier shared with the other instances) starts every instance's clock
    at once.
    """
    from deliberation import Store

    store = Store(url)
    store.deliberation(setup["deliberation"])  # the pool's first connection, opened now
    rng = np.random.default_rng(seed_)
    load, lock = Load(), threading.Lock()
    arrivals = np.sort(rng.uniform(0, plan.arrive_within, count))
    seeds = rng.integers(2**32, size=count)
    if ready is not None:
        ready.wait(START_TIMEOUT)
    start = time.monotonic()
    deadline = start + plan.seconds

    def participant(i: int) -> None:
        time.sleep(max(0.0, start + arrivals[i] - time.monotonic()))
        try:
            _session(store, setup, f"{name}-{i}", np.random.default_rng(seeds[i]), plan,
                     deadline, load, lock)
        except Exception:  # counted in load.errors (or stopped at the deadline)
            pass

    threads = [threading.Thread(target=participant, args=(i,), daemon=True)
               for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline + GRACE / 2 - time.monotonic()))
    load.seconds = time.monotonic() - start
    store.close()
    return load


def _instance_main(url: str, name: str, setup: dict[str, Any], plan: Plan, seed_: int,
                   count: int, ready: Any, results: Any) -> None:
    # plain values across the process boundary (the class lives in __main__ when run as a
    # script, and in ``app_scale`` when imported)
    results.put((name, asdict(run_instance(url, name, setup, plan, seed_, count, ready))))


def measure(url: str, plan: Plan = FULL, rng: int = 2026) -> tuple[Load, dict[str, int]]:
    """The load test on the database at ``url``: the merged load and its audit."""
    from deliberation import Store

    setup = seed(url)
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(plan.instances + 1)
    results = context.Queue()
    shares = np.diff(np.linspace(0, plan.participants, plan.instances + 1).astype(int))
    processes = [
        context.Process(target=_instance_main, daemon=True, args=(
            url, f"instance{k}", setup, plan, rng + k, int(shares[k]), ready, results))
        for k in range(plan.instances)
    ]
    for process in processes:
        process.start()
    load = Load()
    try:
        ready.wait(START_TIMEOUT)
        for _ in processes:
            _, part = results.get(timeout=plan.seconds + GRACE)
            load.merge(Load(**part))
    finally:
        for process in processes:
            process.join(10)
            if process.is_alive():
                process.terminate()
                process.join(10)
    store = Store(url)
    try:
        tables = store.export(setup["deliberation"])
    finally:
        store.close()
    return load, audit(load.acks, tables)


def audit(acks: list[tuple[Any, ...]], tables: dict[str, Any]) -> dict[str, int]:
    """Acknowledged writes missing from the export (``lost``), answers stored more than once
    (``duplicated``) and rows of simulated participants that no acknowledged write explains
    (``unacknowledged``)."""
    people = tables["participants"]
    pid = dict(zip(people["xid"], people["id"], strict=True))
    found = {
        "consent": {int(p) for p, v in zip(people["id"], people["consent_version"],
                                            strict=True) if v == 1},
        "value card": {(int(i), int(p)) for i, p in zip(
            tables["value_cards"]["id"], tables["value_cards"]["participant_id"], strict=True)},
        "wiser vote": {tuple(int(x) if not isinstance(x, str) else x for x in row)
                       for row in tables["wiser_votes"][
                           ["id", "participant_id", "from_card_id", "to_card_id", "verdict"]
                       ].itertuples(index=False)},
        "statement vote": {tuple(int(x) for x in row) for row in tables["statement_votes"][
            ["id", "participant_id", "statement_id", "vote"]].itertuples(index=False)},
        "ranking": {(int(i), int(p), int(q), tuple(int(a) for a in o)) for i, p, q, o in
                    tables["rankings"][["id", "participant_id", "prompt_id", "answer_ids"]]
                    .itertuples(index=False)},
        "svo": {(int(i), int(p), int(c)) for i, p, c in tables["svo_responses"][
            ["id", "participant_id", "choice"]].itertuples(index=False)},
    }
    lost = 0
    for kind, xid, *rest in acks:
        p = pid.get(xid)
        if p is None:
            lost += 1
        elif kind == "join":
            continue
        elif kind == "consent":
            lost += p not in found["consent"]
        elif kind == "value card":
            lost += (rest[0], p) not in found["value card"]
        elif kind == "wiser vote":
            row_id, source, target, verdict = rest
            lost += (row_id, p, source, target, verdict) not in found["wiser vote"]
        elif kind == "statement vote":
            row_id, statement, vote = rest
            lost += (row_id, p, statement, vote) not in found["statement vote"]
        elif kind == "ranking":
            row_id, prompt, order = rest
            lost += (row_id, p, prompt, order) not in found["ranking"]
        else:  # svo: one write, six rows
            ids, choices = rest
            lost += any((i, p, c) not in found["svo"] for i, c in zip(ids, choices,
                                                                       strict=True))
    keys = {"participants": ["xid"], "value_cards": ["id"], "adoptions": ["participant_id",
            "card_id"], "wiser_votes": ["participant_id", "from_card_id", "to_card_id"],
            "statement_votes": ["participant_id", "statement_id"],
            "rankings": ["participant_id", "prompt_id"], "svo_responses": ["participant_id",
                                                                           "item"]}
    duplicated = sum(int(tables[name].duplicated(columns).sum())
                     for name, columns in keys.items() if len(tables[name]))
    acknowledged = {kind: sum(a[0] == kind for a in acks) for kind in KINDS}
    simulated = set(pid.values()) - {pid.get("author")}
    stored = {
        "join": len(simulated),
        "value card": int(tables["value_cards"]["participant_id"].isin(simulated).sum()),
        "wiser vote": int(tables["wiser_votes"]["participant_id"].isin(simulated).sum()),
        "statement vote": int(tables["statement_votes"]["participant_id"].isin(simulated).sum()),
        "ranking": int(tables["rankings"]["participant_id"].isin(simulated).sum()),
        "svo": int(tables["svo_responses"]["participant_id"].isin(simulated).sum()) // 6,
    }
    unacknowledged = sum(max(0, n - acknowledged[kind]) for kind, n in stored.items())
    return {"lost": lost, "duplicated": duplicated, "unacknowledged": unacknowledged}


def _lines(load: Load, checks: dict[str, int], plan: Plan) -> list[str]:
    total = sum(len(ms) for ms in load.latency.values())
    every = [ms for kind in KINDS for ms in load.latency[kind]]
    rows = [(kind, load.latency[kind]) for kind in KINDS] + [("every write", every)]
    return [
        TITLE,
        "",
        f"{plan.participants} simulated participants over {plan.instances} app instances "
        f"(one OS process each, each with its own `deliberation.Store` and connection pool) "
        f"on one PostgreSQL server on localhost, for {plan.seconds:.0f} s through the service "
        f"layer: each joins, consents, writes a value card, gives {plan.wiser_each} wiser "
        f"votes, votes on {plan.statements_each} statements, ranks 3 prompts' answers and "
        f"answers the SVO sliders, pausing {plan.pause[0]:g}-{plan.pause[1]:g} s before each "
        f"write (arrivals spread over the first {plan.arrive_within:.0f} s). "
        "`python benchmarks/app_scale.py`.",
        "",
        "| write | count | p50 (ms) | p99 (ms) | max (ms) |",
        "|---|---:|---:|---:|---:|",
        *[f"| {kind} | {len(ms):,} | {np.percentile(ms, 50):.1f} | "
          f"{np.percentile(ms, 99):.1f} | {max(ms):.1f} |" for kind, ms in rows if ms],
        "",
        f"{total:,} writes acknowledged in {load.seconds:.1f} s "
        f"({total / max(load.seconds, 1e-9):.1f} writes/s); {load.finished} of "
        f"{plan.participants} participants finished every step; {len(load.errors)} writes "
        f"failed. Checked against `Store.export` afterwards: **{checks['lost']} lost "
        f"writes** (acknowledged but missing or different), {checks['duplicated']} "
        f"duplicated rows, {checks['unacknowledged']} rows no acknowledged write explains.",
    ]


def app_scale(quick: bool = False) -> list[str]:
    """The section: a PostgreSQL server of its own, the load test, the audit."""
    from tests._postgres import new_database, postgres_server

    plan = QUICK if quick else FULL
    with postgres_server() as (host, port):
        load, checks = measure(new_database(host, port), plan)
    return _lines(load, checks, plan)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="20 participants for 5 s")
    write_section(app_scale(ap.parse_args().quick))


if __name__ == "__main__":
    main()
