"""Playwright driving Debian's Chromium against pytest-django's live server.

Never a downloaded browser: the system Chromium is launched with the flags this
machine needs. Each page visit can be checked with axe-core and photographed at
desktop and phone widths into test-artifacts/screenshots/.
"""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls
# are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 320, "height": 640}
# What is wider than the screen: the page itself, and the first few elements that stick out.
OVERFLOW_JS = """() => {
  const width = window.innerWidth;
  const wide = [];
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 0.5) wide.push(`${el.tagName.toLowerCase()}.${el.className}`);
    if (wide.length > 4) break;
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, wide};
}"""


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(f"Chromium is required (REQUIRE_BROWSER is set) but {CHROMIUM} does not exist.")
        pytest.skip("Debian's chromium package is not installed (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


class BrowserSession:
    """One browser context (cookies of one person) with the checks every visit gets."""

    def __init__(self, browser, base_url: str, name: str, **context_options):
        self.context = browser.new_context(viewport=DESKTOP, **context_options)
        self.page = self.context.new_page()
        self.base_url = base_url
        self.name = name
        self.csp_violations: list[str] = []
        self.page.on("console", self._on_console)

    def _on_console(self, message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.csp_violations.append(message.text)

    def login_as(self, user):
        """Sign this browser in as ``user`` without typing: a session made by Django's
        test client, handed over as the session cookie."""
        from django.conf import settings
        from django.test import Client

        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        self.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": self.base_url}])

    def goto(self, path: str):
        response = self.page.goto(self.base_url + path)
        return response

    def check(self, label: str):
        """axe-core on the current page (no serious or critical violation) at desktop and
        phone widths, nothing wider than a 390 or 320 px screen, then screenshots."""
        self.assert_accessible(label)
        assert not self.csp_violations, f"{label}: CSP violations {self.csp_violations}"
        self.screenshot(label)
        self.page.set_viewport_size(PHONE)
        self.assert_accessible(f"{label} at {PHONE['width']} px")
        self.page.set_viewport_size(DESKTOP)

    def assert_accessible(self, label: str):
        from axe_playwright_python.sync_playwright import Axe

        results = Axe().run(self.page)
        bad = [v for v in results.response["violations"] if v.get("impact") in {"serious", "critical"}]
        assert not bad, f"{label}: " + "; ".join(
            f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in bad
        )

    def assert_fits(self, label: str):
        """Nothing on the page is wider than the screen (no sideways scrolling)."""
        found = self.page.evaluate(OVERFLOW_JS)
        assert found["scrollWidth"] <= found["width"], f"{label}: wider than {found['width']} px: {found}"

    def screenshot(self, label: str):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=SCREENSHOTS / f"{self.name}-{label}-desktop.png", full_page=True)
        for size, suffix in ((PHONE, "phone"), (SMALL_PHONE, "phone-320")):
            self.page.set_viewport_size(size)
            self.assert_fits(f"{label} at {size['width']} px")
            self.page.screenshot(path=SCREENSHOTS / f"{self.name}-{label}-{suffix}.png", full_page=True)
        self.page.set_viewport_size(DESKTOP)

    def close(self):
        self.context.close()


@pytest.fixture
def open_session(browser, live_server, request):
    """``open_session("visitor")`` gives a fresh BrowserSession; all are closed at the end.
    Extra keywords go to Playwright's new_context (for example ``timezone_id``)."""
    sessions = []

    def open_(name: str, **context_options) -> BrowserSession:
        session = BrowserSession(browser, live_server.url, f"{request.node.name}-{name}", **context_options)
        sessions.append(session)
        return session

    yield open_
    for session in sessions:
        session.close()
