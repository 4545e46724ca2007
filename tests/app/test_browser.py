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
def streamlit_app(port: int) -> Iterator[str]:
    """``streamlit run app.py`` from this checkout on ``port``; yields the base URL."""
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", "app.py",
            "--server.headless", "true",
            "--server.port", str(port),
            "--server.address", "127.0.0.1",
            "--browser.gatherUsageStats", "false",
        ],
        cwd=ROOT,
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
def app_url() -> Iterator[str]:
    if CHROMIUM is None:
        pytest.fail("CI is set but Chromium is not installed: run `make test` as root")
    with streamlit_app(_free_port()) as url:
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


def test_the_root_address_lands_on_voting(browser: Browser, app_url: str):
    title = _open(browser, f"{app_url}/", DESKTOP)
    assert re.search(r"\bVoting\b", title, re.IGNORECASE), title
    assert browser.wait_for("location.pathname === '/voting'", 10)


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
