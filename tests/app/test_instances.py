"""The app on two instances over one PostgreSQL database: nothing lost, caches stay correct.

Two real ``streamlit run app.py`` servers on free localhost ports share the session's
PostgreSQL server (``postgres_server`` of ``tests/conftest.py``). Then:

- a participant walks through the flow in headless Chromium on instance A, and the
  statement results page served by instance B (which had cached the earlier numbers) shows
  their votes: the pages' caches are keyed on the database's data version, not on anything
  one process knows;
- the concurrency scenario of ``tests/deliberation/test_concurrency.py`` runs with half the
  participants writing through each instance's service layer (one OS process per instance,
  each with its own Store and connection pool) while a second participant walks the flow
  in the browser on instance B; every acknowledged write is in the database exactly once,
  and both instances' results pages show the same, complete numbers.

Runs when Chromium and the PostgreSQL server binaries are installed, and always under CI.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.request import urlopen

import pytest

from tests._postgres import free_port, new_database
from tests.app.test_browser import CHROMIUM, Browser, Walk  # skips without Chromium
from tests.deliberation.test_concurrency import CONTEXT, _participant_session

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 90.0  # seconds for a server to answer its health check
WRITERS_TIMEOUT = 120.0  # seconds for the writer processes to finish
PAGE_TIMEOUT = 90.0  # seconds for a page to render (the first run imports a lot)
PER_INSTANCE = 25  # participants writing through each instance's service layer
THREADS = 8  # at once, per instance
STATEMENTS = ["One.", "Two.", "Three."]
SEEDED_VOTERS = 2
SETTLE_SECONDS = 0.4  # a page unchanged this long has finished its run


class Instance:
    """One ``streamlit run app.py`` server on a free port, its output in a temporary file."""

    def __init__(self, name: str, database_url: str) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = tempfile.TemporaryFile()
        env = {**os.environ, "DATABASE_URL": database_url, "HF_HUB_OFFLINE": "1",
               "TRANSFORMERS_OFFLINE": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py",
             "--server.port", str(self.port), "--server.headless", "true",
             "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
             "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT,
        )

    def wait_healthy(self, timeout: float = START_TIMEOUT) -> None:
        """Until ``/_stcore/health`` answers "ok" (RuntimeError if the server exits)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"instance {self.name} exited: {self.output()}")
            with contextlib.suppress(OSError):
                with urlopen(f"{self.url}/_stcore/health", timeout=5) as answer:
                    if answer.status == 200 and answer.read().strip() == b"ok":
                        return
            time.sleep(0.3)
        raise TimeoutError(f"instance {self.name} was not healthy within {timeout:.0f} s")

    def output(self) -> str:
        self._log.seek(0)
        return self._log.read().decode(errors="replace")[-4000:]

    def stop(self) -> None:
        """Terminate the server (killed if it outlives 10 s) and close its log."""
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self._log.close()


@pytest.fixture(scope="module")
def database(postgres_server) -> Iterator[tuple[str, int, int, tuple[Any, ...]]]:
    """A PostgreSQL database with one deliberation (consent, statements, SVO) and two
    voters: ``(url, deliberation id, seed card, (statement ids, prompt id, answer ids))``."""
    from deliberation import Store

    url = new_database(*postgres_server)
    store = Store(url)
    d = store.create_deliberation(
        "How should the assistant answer a user in distress?", title="Two instances",
        contexts=[CONTEXT], statements=STATEMENTS, prompts=[("A prompt", ["x", "y", "z"])],
        steps=["consent", "statements", "svo"],
    )
    author = store.join(d.id)
    store.consent(author, 1)
    seed_card = store.submit_value_card(author, "Seed", "The first card.", ["a policy"])
    tables = store.export(d.id)
    statement_ids = [int(i) for i in tables["statements"]["id"]]
    voters = [author]
    while len(voters) < SEEDED_VOTERS:
        voters.append(store.join(d.id))
        store.consent(voters[-1], 1)
    for token in voters:
        for statement in statement_ids:
            store.submit_statement_vote(token, statement, 1)
    ids = (statement_ids, int(tables["prompts"]["id"].iloc[0]),
           [int(i) for i in tables["answers"]["id"]])
    store.close()
    yield url, d.id, seed_card, ids


@pytest.fixture(scope="module")
def instances(database) -> Iterator[tuple[Instance, Instance]]:
    if CHROMIUM is None:
        pytest.fail("CI is set but Chromium is not installed: run `make test` as root")
    started: list[Instance] = []
    try:
        for name in "AB":
            started.append(Instance(name, database[0]))
        for instance in started:
            instance.wait_healthy()
        yield started[0], started[1]
    except BaseException:
        for instance in started:
            sys.stderr.write(f"--- instance {instance.name} ---\n{instance.output()}\n")
        raise
    finally:
        for instance in started:  # both stop at once
            instance.process.terminate()
        for instance in started:
            instance.stop()


@pytest.fixture(scope="module")
def browser(instances) -> Iterator[Browser]:
    assert CHROMIUM is not None
    tab = Browser(CHROMIUM)
    try:
        yield tab
    finally:
        tab.close()


class QuickWalk(Walk):
    """:class:`Walk` that takes the page as settled after it stayed the same for
    :data:`SETTLE_SECONDS` (the browser test waits a full second each time)."""

    def settled(self, timeout: float = 60) -> None:
        state = """(() => {
          const busy = document.querySelector('[data-testid="stStatusWidget"]');
          const main = document.querySelector('[data-testid="stMainBlockContainer"]');
          return busy || !main ? null : main.innerText;
        })()"""
        deadline = time.monotonic() + timeout
        last, since = None, time.monotonic()
        while time.monotonic() < deadline:
            now = self.browser.evaluate(state)
            if now is None or now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= SETTLE_SECONDS:
                return
            time.sleep(0.1)
        raise TimeoutError(f"the page kept changing for {timeout:.0f} s")


METRICS_JS = """(() => {
  const busy = document.querySelector('[data-testid="stStatusWidget"]');
  const h1 = document.querySelector('[data-testid="stMain"] h1');
  const metrics = [...document.querySelectorAll('[data-testid="stMetric"]')];
  if (busy || !h1 || h1.innerText.trim() !== 'Statement results' || metrics.length < 3)
    return null;
  return Object.fromEntries(metrics.map((m) => [
    m.querySelector('[data-testid="stMetricLabel"]').innerText.trim(),
    Number(m.querySelector('[data-testid="stMetricValue"]').innerText.replace(/,/g, ''))]));
})()"""


def _results(browser: Browser, instance: Instance) -> dict[str, float]:
    """The Voters / Statements / Votes numbers of the statement results page, as served by
    ``instance`` after a fresh load."""
    browser.open(f"{instance.url}/results-statements", (1280, 900))
    QuickWalk(browser, ROOT).settled(PAGE_TIMEOUT)
    return browser.wait_for(METRICS_JS, PAGE_TIMEOUT)


def _walk(browser: Browser, instance: Instance, deliberation_id: int) -> str:
    """A participant joins on ``instance``, agrees to every statement and saves the SVO
    sliders as shown; returns their token (from the resume link in the address bar)."""
    walk = QuickWalk(browser, ROOT)
    browser.open(f"{instance.url}/?d={deliberation_id}", (390, 844))
    walk.click("Start", PAGE_TIMEOUT)
    walk.header("Before you start", PAGE_TIMEOUT)
    token = browser.wait_for("new URLSearchParams(location.search).get('t')", 30)
    walk.click("I agree, let's start")
    walk.header("Statements", PAGE_TIMEOUT)
    for n in range(1, len(STATEMENTS) + 1):
        walk.shows(f"Statement {n} of {len(STATEMENTS)}")
        walk.click("Agree")
    walk.shows(f"You have voted on all {len(STATEMENTS)} statements")
    walk.click("Continue")
    walk.header("Sharing choices", PAGE_TIMEOUT)
    walk.click("Save my choices")
    walk.header("Thank you!", PAGE_TIMEOUT)
    return str(token)


def _instance_writers(url: str, deliberation_id: int, seed_card: int, ids: Any,
                      n: int) -> list[str]:
    """One instance's service layer: its own Store (connection pool) and ``n`` participants
    of the concurrency scenario, :data:`THREADS` at once; their tokens."""
    from deliberation import Store

    store = Store(url)
    try:
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            return list(pool.map(
                lambda _: _participant_session(store, deliberation_id, seed_card, ids),
                range(n),
            ))
    finally:
        store.close()


def test_two_instances_lose_nothing_and_their_caches_follow_the_database(
    database, instances, browser
):
    from deliberation import Store

    url, d, seed_card, ids = database
    a, b = instances
    n_statements = len(STATEMENTS)
    before = _results(browser, b)  # instance B caches the results at this data version
    assert before == {"Voters": SEEDED_VOTERS, "Statements": n_statements,
                      "Votes": SEEDED_VOTERS * n_statements}

    walker_a = _walk(browser, a, d)
    after_a = {"Voters": SEEDED_VOTERS + 1, "Statements": n_statements,
               "Votes": (SEEDED_VOTERS + 1) * n_statements}
    assert _results(browser, b) == after_a  # written through A, shown by B
    assert _results(browser, a) == after_a

    # half the participants write through each instance while one more walks on B
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=spawn) as pool:
        jobs = [pool.submit(_instance_writers, url, d, seed_card, ids, PER_INSTANCE)
                for _ in (a, b)]
        walker_b = _walk(browser, b, d)
        tokens = [t for job in jobs for t in job.result(timeout=WRITERS_TIMEOUT)]

    n = 2 * PER_INSTANCE
    assert len(set(tokens)) == n
    store = Store(url)
    try:
        tables = store.export(d)
        participants = tables["participants"]
        assert len(participants) == SEEDED_VOTERS + 2 + n
        assert participants["id"].is_unique
        assert len(tables["value_cards"]) == n + 1
        votes = tables["wiser_votes"]
        assert len(votes) == n and set(votes["verdict"]) == {"not_wiser"}
        assert not votes.duplicated(["participant_id", "from_card_id", "to_card_id"]).any()
        statement_votes = tables["statement_votes"]
        assert len(statement_votes) == n_statements * (SEEDED_VOTERS + 2 + n)
        assert not statement_votes.duplicated(["participant_id", "statement_id"]).any()
        assert len(tables["rankings"]) == n
        svo = tables["svo_responses"]
        assert len(svo) == 6 * (n + 2)
        assert not svo.duplicated(["participant_id", "item"]).any()
        for walker in (walker_a, walker_b):
            assert store.progress(walker).finished
            mine = store.my_answers(walker)
            assert sorted(mine["statement_votes"]["vote"]) == [1] * n_statements
            assert len(mine["svo_responses"]) == 6
    finally:
        store.close()

    final = {"Voters": SEEDED_VOTERS + 2 + n, "Statements": n_statements,
             "Votes": (SEEDED_VOTERS + 2 + n) * n_statements}
    assert _results(browser, a) == final
    assert _results(browser, b) == final

