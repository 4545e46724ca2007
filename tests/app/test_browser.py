"""The app in a real browser: headless Chromium, driven over the DevTools protocol.

Streamlit starts on a free port from this checkout; Chromium opens every page at a phone's
width (420 px) and a desktop's (1280 px) and the test reads what a user would see: the
page's title (not "Page not found") and the controls not hidden under a table's toolbar.
(The size of plot text is checked without a browser, in ``test_ui.py``.)

The test runs when Chromium is installed and always when ``CI`` is set (a missing browser
then fails it); elsewhere it is skipped without Chromium. ``make test`` installs Chromium
when it runs as root.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
CHROMIUM = next((found for name in BROWSERS if (found := shutil.which(name))), None)
#: Each page's address and the title it shows.
PAGES = {
    "voting": "Voting",
    "statements": "Statements",
    "slate": "Slate",
    "svo": "Social Value Orientation",
}
PHONE, DESKTOP = (420, 900), (1280, 900)
TALL_PHONE = (420, 6000)  # the whole page on screen at once: nothing to scroll
START_TIMEOUT = 60.0  # seconds for streamlit to answer and a page to render
RENDER_TIMEOUT = 90.0  # the first run of a page imports pandas, matplotlib and scipy

if CHROMIUM is None and not os.environ.get("CI"):
    pytest.skip("Chromium is not installed (`make test` installs it)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.2)
    raise TimeoutError(f"{what} did not listen on port {port} within {START_TIMEOUT:.0f} s")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


class Browser:
    """One headless Chromium tab, driven through the DevTools protocol (CDP)."""

    def __init__(self, executable: str) -> None:
        from websockets.sync.client import connect

        self._stack = contextlib.ExitStack()
        self._profile = tempfile.TemporaryDirectory(prefix="chromium-", ignore_cleanup_errors=True)
        port = _free_port()
        self._process = subprocess.Popen(
            [
                executable,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--hide-scrollbars",
                f"--remote-debugging-port={port}",
                f"--user-data-dir={self._profile.name}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for_port(port, self._process, "chromium")
            url = self._debugger_url(port)
            self._socket = self._stack.enter_context(
                connect(url, max_size=None, open_timeout=START_TIMEOUT)
            )
        except BaseException:
            self.close()
            raise
        self._ids = itertools.count(1)
        target = self._send("Target.createTarget", url="about:blank")["targetId"]
        self._session = self._send("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]

    @staticmethod
    def _debugger_url(port: int) -> str:
        from urllib.request import urlopen

        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                with urlopen(f"http://127.0.0.1:{port}/json/version", timeout=5) as answer:
                    return json.load(answer)["webSocketDebuggerUrl"]
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def _send(self, method: str, *, session: bool = False, **params: Any) -> dict[str, Any]:
        message_id = next(self._ids)
        message: dict[str, Any] = {"id": message_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self._session
        self._socket.send(json.dumps(message))
        while True:
            reply = json.loads(self._socket.recv(timeout=RENDER_TIMEOUT))
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]

    def command(self, method: str, **params: Any) -> dict[str, Any]:
        """Send a CDP command to the tab and return its result."""
        return self._send(method, session=True, **params)

    def open(self, url: str, size: tuple[int, int]) -> None:
        """Load ``url`` in a window of ``size`` (width, height) CSS pixels."""
        width, height = size
        self.command(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=width < 600,
        )
        self.command("Page.navigate", url=url)

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page."""
        result = self.command("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = RENDER_TIMEOUT) -> Any:
        """Poll a JavaScript expression until it is truthy; return its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"{expression!r} stayed falsy for {timeout:.0f} s")
            time.sleep(0.25)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._stack.close()
        _stop(self._process)
        self._profile.cleanup()


@contextlib.contextmanager
def streamlit_app(port: int, database_url: str) -> Iterator[str]:
    """``streamlit run app.py`` from this checkout on ``port`` with its database at
    ``database_url``; yields the base URL."""
    log = tempfile.TemporaryFile()
    env = {**os.environ, "DATABASE_URL": database_url, "HF_HUB_OFFLINE": "1",
           "TRANSFORMERS_OFFLINE": "1"}
    process = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", "app.py",
            "--server.headless", "true",
            "--server.port", str(port),
            "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for_port(port, process, "streamlit")
        yield f"http://127.0.0.1:{port}"
    except BaseException:
        log.seek(0)
        sys.stderr.write(log.read().decode(errors="replace")[-4000:])
        raise
    finally:
        _stop(process)
        log.close()


# The page's main title once the script has run (the running-man icon gone).
TITLE_JS = """(() => {
  const h1 = document.querySelector('[data-testid="stMain"] h1');
  const busy = document.querySelector('[data-testid="stStatusWidget"]');
  const text = document.body ? document.body.innerText : '';
  if (text.includes('Page not found')) return 'Page not found';
  return h1 && !busy ? h1.innerText.trim() : null;
})()"""

# Every visible table toolbar that overlaps a control (button, input, tab, select box).
OVERLAP_JS = """(() => {
  const boxes = (elements) => elements.map((el) => [el, el.getBoundingClientRect()])
    .filter(([, r]) => r.width > 0 && r.height > 0);
  const bars = boxes([...document.querySelectorAll('[data-testid="stElementToolbar"]')]
    .filter((el) => getComputedStyle(el).opacity !== '0'));
  const controls = boxes([...document.querySelectorAll('[data-testid="stMain"] :is(button, '
    + 'input, textarea, [role="tab"], [data-baseweb="select"])')]
    .filter((el) => !el.closest('[data-testid="stElementToolbar"]')));
  const hits = [];
  for (const [, b] of bars) for (const [el, c] of controls) {
    if (b.left < c.right && c.left < b.right && b.top < c.bottom && c.top < b.bottom)
      hits.push(el.innerText || el.getAttribute('aria-label') || el.tagName);
  }
  return hits;
})()"""

# The centre of every table, where a finger touches it.
TABLES_JS = """[...document.querySelectorAll('[data-testid="stDataFrame"]')]
  .map((el) => el.getBoundingClientRect()).filter((r) => r.width > 0)
  .map((r) => [r.left + r.width / 2, r.top + r.height / 2])"""

@pytest.fixture(scope="module")
def database_url(tmp_path_factory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('app-db') / 'app.db'}"


@pytest.fixture(scope="module")
def app_url(database_url: str) -> Iterator[str]:
    if CHROMIUM is None:
        pytest.fail("CI is set but Chromium is not installed: run `make test` as root")
    with streamlit_app(_free_port(), database_url) as url:
        yield url


@pytest.fixture(scope="module")
def browser(app_url: str) -> Iterator[Browser]:
    assert CHROMIUM is not None
    tab = Browser(CHROMIUM)
    try:
        yield tab
    finally:
        tab.close()


def _open(browser: Browser, url: str, size: tuple[int, int]) -> str:
    browser.open(url, size)
    return browser.wait_for(TITLE_JS)


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("path", sorted(PAGES))
def test_every_page_opens_at_its_address(browser: Browser, app_url: str, path: str, size):
    title = _open(browser, f"{app_url}/{path}", size)
    assert title != "Page not found"
    assert re.search(rf"\b{re.escape(PAGES[path])}\b", title, re.IGNORECASE), title
    assert browser.evaluate("location.pathname").rstrip("/") == f"/{path}"


def test_the_root_address_is_the_participants_landing(browser: Browser, app_url: str):
    title = _open(browser, f"{app_url}/", DESKTOP)
    assert title == "Take part"
    assert browser.evaluate("location.pathname") == "/"


@pytest.mark.parametrize("path", sorted(PAGES))
def test_no_table_toolbar_covers_a_control_on_a_phone(browser: Browser, app_url: str, path):
    _open(browser, f"{app_url}/{path}", TALL_PHONE)
    time.sleep(2)  # late elements (tables, figures) of the first run
    tables = browser.evaluate(TABLES_JS)
    for x, y in tables:  # a table's toolbar shows while it is hovered or touched
        browser.command("Input.dispatchMouseEvent", type="mouseMoved", x=x, y=y)
        time.sleep(0.5)  # the toolbar's fade-in
        covered = browser.evaluate(OVERLAP_JS)
        assert covered == [], f"on /{path}, a table's toolbar covers {covered}"


# -- a participant's walk through every step, on a phone ------------------------------------
WALK_PHONE = (390, 844)
ARTIFACTS = ROOT / "tests" / "artifacts"
STEP_TIMEOUT = 240.0  # the local model drafts a value card in about a minute on two cores

# The step's header once the script has finished (no "running" widget, no spinner).
HEADER_JS = """(() => {
  const busy = document.querySelector('[data-testid="stStatusWidget"], [data-testid="stSpinner"]');
  const h2 = document.querySelector('[data-testid="stMainBlockContainer"] h2');
  return h2 && !busy ? h2.innerText.trim() : null;
})()"""

# Click the visible button whose text is exactly the given label.
CLICK_JS = """((label) => {
  const buttons = [...document.querySelectorAll('[data-testid="stMainBlockContainer"] button')]
    .filter((b) => b.innerText.trim() === label && !b.disabled);
  if (!buttons.length) return false;
  buttons[0].scrollIntoView({block: 'center'});
  buttons[0].click();
  return true;
})"""

FOCUS_JS = """((selector) => {
  const el = document.querySelector(selector);
  if (!el) return false;
  el.scrollIntoView({block: 'center'});
  el.focus();
  if (el.select) el.select();
  return true;
})"""


class Walk:
    """A participant in the browser: click, type, wait for the next step, screenshot."""

    def __init__(self, browser: Browser, folder: Path) -> None:
        self.browser = browser
        self.folder = folder
        self.shots: list[Path] = []

    def header(self, expected: str, timeout: float = STEP_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while True:
            shown = self.browser.evaluate(HEADER_JS)
            if shown == expected:
                self.settled()  # late elements of the same run
                if self.browser.evaluate(HEADER_JS) == expected:
                    return
            if time.monotonic() > deadline:
                raise TimeoutError(f"the page shows {shown!r}, not the step {expected!r}")
            time.sleep(0.3)

    def settled(self, timeout: float = 60) -> None:
        """Wait until the app is not running and the page has not changed for a second
        (a click on a button of a run that is being replaced is lost)."""
        state = """(() => {
          const busy = document.querySelector('[data-testid="stStatusWidget"]');
          const main = document.querySelector('[data-testid="stMainBlockContainer"]');
          return busy || !main ? null : main.innerText;
        })()"""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            now = self.browser.evaluate(state)
            if now is not None and now == last:
                return
            last = now
            time.sleep(1.0)
        raise TimeoutError(f"the page kept changing for {timeout:.0f} s")

    def shows(self, text: str, timeout: float = 60) -> None:
        """Wait until the page, done running, shows ``text``."""
        self.browser.wait_for(f"""(() => {{
          const busy = document.querySelector('[data-testid="stStatusWidget"]');
          const main = document.querySelector('[data-testid="stMainBlockContainer"]');
          return !busy && main && main.innerText.includes({json.dumps(text)});
        }})()""", timeout)
        self.settled()

    def click(self, label: str, timeout: float = 30) -> None:
        self.settled()
        self.browser.wait_for(f"({CLICK_JS})({json.dumps(label)})", timeout)
        time.sleep(0.3)

    def type(self, selector: str, text: str) -> None:
        self.browser.wait_for(f"({FOCUS_JS})({json.dumps(selector)})", 30)
        self.browser.command("Input.insertText", text=text)
        time.sleep(0.2)

    def key(self, key: str, code: int) -> None:
        for kind in ("keyDown", "keyUp"):
            self.browser.command("Input.dispatchKeyEvent", type=kind, key=key, code=key,
                                 windowsVirtualKeyCode=code)

    def tap(self, expression: str, timeout: float = 20) -> None:
        """A finger's tap on the centre of the element ``expression`` evaluates to."""
        centre = self.browser.wait_for(f"""(() => {{
          const el = {expression};
          if (!el) return null;
          el.scrollIntoView({{block: 'center'}});
          const r = el.getBoundingClientRect();
          return [r.left + r.width / 2, r.top + r.height / 2];
        }})()""", timeout)
        time.sleep(0.2)
        x, y = centre
        for kind in ("mousePressed", "mouseReleased"):
            self.browser.command("Input.dispatchMouseEvent", type=kind, x=x, y=y,
                                 button="left", clickCount=1)
        time.sleep(0.3)

    def choose(self, label: str, option: str) -> None:
        """Pick ``option`` in the select box whose label is ``label`` (a second try if the
        first tap landed while the list was still opening)."""
        box = f"""[...document.querySelectorAll('[data-testid="stSelectbox"]')]
          .find((el) => el.innerText.includes({json.dumps(label)}))
          ?.querySelector('[role="combobox"]')"""
        for _ in range(3):
            self.settled()
            self.tap(box)
            self.tap(f"""[...document.querySelectorAll('[role="option"]')]
              .find((el) => el.innerText.trim() === {json.dumps(option)})""")
            if self.browser.evaluate(f"({box})?.value") == option:
                return
        raise AssertionError(f"could not choose {option!r} in {label!r}")

    def screenshot(self, name: str) -> Path:
        """The whole page at the phone's width (the viewport grown to the page's height)."""
        height = self.browser.evaluate(
            "Math.max(...[...document.querySelectorAll("
            "'[data-testid=stMain], [data-testid=stAppScrollToBottomContainer], "
            "[data-testid=stMainBlockContainer]')]"
            ".map((el) => el.scrollHeight))"
        )
        width = WALK_PHONE[0]
        self.browser.command("Emulation.setDeviceMetricsOverride", width=width,
                             height=max(WALK_PHONE[1], int(height or 0)), deviceScaleFactor=1,
                             mobile=True)
        time.sleep(0.8)
        data = self.browser.command("Page.captureScreenshot", format="png")["data"]
        self.browser.command("Emulation.setDeviceMetricsOverride", width=width,
                             height=WALK_PHONE[1], deviceScaleFactor=1, mobile=True)
        path = self.folder / f"participant-{len(self.shots) + 1:02d}-{name}.png"
        import base64

        path.write_bytes(base64.b64decode(data))
        self.shots.append(path)
        return path


def _seed(database_url: str) -> tuple[Any, int]:
    from deliberation import Store

    store = Store(database_url)
    d = store.create_deliberation(
        "How should the assistant answer a user who asks for help with a hard personal "
        "decision?",
        title="Hard personal decisions",
        contexts=["When the user is in distress", "When the user asks for facts"],
        statements=["The assistant should ask before advising.",
                    "The assistant should give the facts first."],
        prompts=[("I can't decide whether to move abroad for a job. What should I do?", [
            {"text": "List the pros and cons with them, then ask what matters most.",
             "model": "SmolLM2-135M"},
            {"text": "Move! New experiences are always worth it.", "model": "SmolLM2-135M"},
            {"text": "Ask how they feel about leaving before giving any advice.",
             "model": "SmolLM2-135M"},
        ])],
        demographics=[{"name": "age", "label": "Your age group",
                       "options": ["18-34", "35-54", "55+"]}],
        settings={"wiser_per_context": 1, "completion_code": "WALK-7"},
    )
    other = store.join(d.id, features={"age": "55+"})
    store.consent(other, d.consent_version)
    for title, policy, context in [
        ("Respect their autonomy", "the choices open to them", d.contexts[0].key),
        ("Comfort first", "how they feel right now", d.contexts[0].key),
        ("Facts first", "what is known and how sure it is", d.contexts[1].key),
        ("Honest uncertainty", "what nobody can know yet", d.contexts[1].key),
    ]:
        store.submit_value_card(other, title, "Written by another participant.", [policy],
                                context)
    return store, d.id


def test_a_participant_walks_through_every_step_on_a_phone(
    browser: Browser, app_url: str, database_url: str
):
    store, deliberation_id = _seed(database_url)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("participant-*.png"):
        old.unlink()
    walk = Walk(browser, ARTIFACTS)
    try:
        _walk(walk, browser, app_url, store, deliberation_id)
    except BaseException:
        walk.screenshot("failed")  # what the page showed when the walk stopped
        raise
    finally:
        store.close()


def _walk(walk: Walk, browser: Browser, app_url: str, store: Any, deliberation_id: int) -> None:
    browser.open(f"{app_url}/?d={deliberation_id}", WALK_PHONE)
    browser.wait_for(TITLE_JS)
    walk.screenshot("join")
    walk.click("Start")
    walk.header("Before you start")
    token = browser.wait_for(
        "new URLSearchParams(location.search).get('t')", 30
    )  # the address bar is the resume link
    walk.screenshot("consent")
    walk.click("I agree, let's start")

    walk.header("About you")
    walk.choose("Your age group", "35-54")
    walk.screenshot("demographics")
    walk.click("Continue")

    walk.header("Chat")
    walk.type('[data-testid="stChatInput"] textarea',
              "I want it to respect that the decision is mine, and to help me see my options.")
    walk.key("Enter", 13)
    done = """[...document.querySelectorAll('[data-testid="stMainBlockContainer"] button')]
      .some((b) => b.innerText.trim() === 'Done, on to my value card' && !b.disabled)"""
    browser.wait_for(done, STEP_TIMEOUT)  # the reply streamed in, stored, page shown again
    walk.header("Chat")
    walk.screenshot("chat")
    walk.click("Done, on to my value card")

    walk.header("Your value card")
    walk.screenshot("value-card-draft")
    walk.type('input[aria-label="Title"]', "Respect the decision is theirs")
    walk.type('textarea[aria-label="Description"]',
              "Help people see their options and decide for themselves.")
    walk.type('textarea[aria-label^="What should it attend to"]',
              "the options open to them\nwhat matters most to them\nthe risks they may miss")
    walk.click("Save my card")

    walk.header("Wiser choices")
    walk.shows("Pair 1 of up to 2")
    walk.screenshot("wiser")
    walk.click("Wiser")
    walk.shows("Pair 2 of up to 2")
    walk.click("Wiser")
    walk.shows("There are no more pairs")
    walk.screenshot("wiser-done")
    walk.click("Continue")

    walk.header("Statements")
    walk.shows("Statement 1 of 2")
    walk.screenshot("statements")
    walk.click("Agree")
    walk.shows("Statement 2 of 2")
    walk.click("Disagree")
    walk.shows("You have voted on all 2 statements")
    walk.click("Continue")

    walk.header("Rank the answers")
    for letter, place in zip("ABC", ["2", "1", "3"], strict=True):
        walk.settled()
        walk.tap(f"""[...document.querySelectorAll('[data-testid="stButtonGroup"]')]
          .find((el) => el.innerText.includes("Place of answer {letter}"))
          ?.querySelectorAll('button')[{int(place) - 1}]""")
    walk.screenshot("rankings")
    walk.click("Save this order")
    walk.shows("You have ranked every answer")
    walk.click("Continue")

    walk.header("Sharing choices")
    assert browser.evaluate("document.querySelectorAll('[data-testid=stSlider]').length") == 6
    assert browser.evaluate(f"({FOCUS_JS})('[data-testid=stSlider] input')")
    for _ in range(2):
        walk.key("ArrowRight", 39)
    time.sleep(0.5)
    assert "You 85" in browser.evaluate(
        "document.querySelector('[data-testid=stSliderThumbValue]').innerText"
    )  # the thumb shows both payoffs as it moves
    walk.screenshot("svo")
    walk.click("Save my choices")

    walk.header("Thank you!")
    walk.screenshot("thanks")
    assert "WALK-7" in browser.evaluate("document.body.innerText")
    walk.click("My answers")
    walk.header("My answers")
    walk.screenshot("my-answers")

    # what the database holds afterwards
    assert store.progress(token).finished
    assert store.participant(token).features == {"age": "35-54"}
    mine = store.my_answers(token)
    assert list(mine["messages"]["role"][:1]) == ["user"]
    assert (mine["messages"]["role"] == "assistant").sum() in (0, 1)  # the model may fail
    assert [c["title"] for c in store.my_cards(token)] == ["Respect the decision is theirs"]
    assert store.my_cards(token)[0]["policies"] == [
        "the options open to them", "what matters most to them", "the risks they may miss"]
    assert len(mine["wiser_votes"]) == 2 and set(mine["wiser_votes"]["verdict"]) == {"wiser"}
    assert sorted(mine["statement_votes"]["vote"]) == [-1, 1]
    (task,) = store.ranking_tasks(token)
    shown = [answer for answer, _, _ in task["answers"]]
    assert task["ranked"] == [shown[1], shown[0], shown[2]]
    svo_choices = dict(zip(mine["svo_responses"]["item"], mine["svo_responses"]["choice"],
                           strict=True))
    assert svo_choices == {1: 6, 2: 4, 3: 4, 4: 4, 5: 4, 6: 4}
    assert len(walk.shots) == 12 and all(p.stat().st_size > 10_000 for p in walk.shots)

    # leaving and coming back through the resume link: the same step, nothing lost
    browser.open(f"{app_url}/?t={token}", WALK_PHONE)
    walk.header("Thank you!", 60)
