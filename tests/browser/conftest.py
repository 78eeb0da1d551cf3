"""Browser suite: one Debian Chromium for the whole session, driven by Playwright, against
pytest-django's ``live_server``; axe-core (bundled by axe-playwright-python) checks the pages.

Every tab these fixtures give fails its test if Chromium reports a Content-Security-Policy
violation on it (an inline style or script, an asset from elsewhere): see ``_PolicyWatch``.

Select with ``pytest -m browser`` (``make test`` runs it). Every browser test module sets
``pytestmark = pytest.mark.browser``. An app's own browser tests (tests/<app>/) import these
fixtures into their conftest and use ``tests.browser.support.assert_accessible`` and
``sign_in``; Chromium is still started once per process.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from .support import DESKTOP, PHONE

CHROMIUM = os.environ.get("CITYHALL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(items):
    # A stuck page must fail its test quickly, not stall the suite for the global timeout.
    for item in items:
        if item.get_closest_marker("browser") and not item.get_closest_marker("timeout"):
            item.add_marker(pytest.mark.timeout(90))


class _Chromium:
    """One Playwright and one Chromium per process, however many conftests import the fixture:
    Playwright's sync API cannot be started twice in one thread."""

    playwright = None
    browser: Browser | None = None
    async_unsafe_before: str | None = None

    @classmethod
    def start(cls) -> Browser:
        if cls.browser is None:
            # Playwright's sync API runs an event loop in this thread; Django would otherwise
            # refuse the database access that fixtures (factories, force_login) make from the
            # same thread. Set only once a browser runs, so other suites keep the check.
            cls.async_unsafe_before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
            cls.playwright = sync_playwright().start()
            cls.browser = cls.playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS
            )
        return cls.browser

    @classmethod
    def stop(cls) -> None:
        if cls.browser is None:
            return
        cls.browser.close()
        cls.playwright.stop()
        cls.browser = cls.playwright = None
        if cls.async_unsafe_before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = cls.async_unsafe_before


class _PolicyWatch:
    """Chromium logs each Content-Security-Policy violation as a console error ("Applying
    inline style violates the following Content Security Policy directive ..."); every context
    made here is watched, and each tab fixture fails its test if one was logged meanwhile."""

    seen: list[str] = []

    @classmethod
    def watch(cls, context: BrowserContext) -> None:
        def note(message) -> None:
            if "Content Security Policy" in message.text:
                url = message.page.url if message.page else "?"
                cls.seen.append(f"{url}: {message.text}")

        context.on("console", note)

    @classmethod
    def around(cls) -> Iterator[None]:
        cls.seen.clear()
        yield
        violations, cls.seen = list(cls.seen), []
        if violations:
            pytest.fail(
                "Content-Security-Policy violations:\n" + "\n".join(violations), pytrace=False
            )


def pytest_sessionfinish(session):
    _Chromium.stop()


@pytest.fixture(scope="session")
def browser() -> Browser:
    return _Chromium.start()


def _shared_page(browser: Browser, **options) -> Iterator[Page]:
    context = browser.new_context(locale="en-GB", **options)
    context.set_default_timeout(TIMEOUT_MS)
    _PolicyWatch.watch(context)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="session")
def _desktop_tab(browser: Browser) -> Iterator[Page]:
    yield from _shared_page(browser, viewport=DESKTOP)


@pytest.fixture(scope="session")
def _phone_tab(browser: Browser) -> Iterator[Page]:
    yield from _shared_page(browser, viewport=PHONE, is_mobile=True, has_touch=True)


@pytest.fixture(scope="session")
def _no_script_tab(browser: Browser) -> Iterator[Page]:
    yield from _shared_page(browser, viewport=DESKTOP, java_script_enabled=False)


def _fresh(tab: Page) -> Page:
    tab.context.clear_cookies()
    return tab


# One tab per kind for the whole session, reused by every test (cookies cleared): opening a
# context per test would cost more than most tests.
@pytest.fixture
def page(_desktop_tab: Page, live_server) -> Iterator[Page]:
    """An anonymous desktop tab (1280x800)."""
    with contextlib.contextmanager(_PolicyWatch.around)():
        yield _fresh(_desktop_tab)


@pytest.fixture
def phone_page(_phone_tab: Page, live_server) -> Iterator[Page]:
    """An anonymous phone tab (390x844, touch)."""
    with contextlib.contextmanager(_PolicyWatch.around)():
        yield _fresh(_phone_tab)


@pytest.fixture
def no_script_page(_no_script_tab: Page, live_server) -> Iterator[Page]:
    """An anonymous desktop tab with JavaScript disabled."""
    with contextlib.contextmanager(_PolicyWatch.around)():
        yield _fresh(_no_script_tab)


@pytest.fixture
def new_context(browser: Browser, live_server) -> Iterator[Callable[..., BrowserContext]]:
    """Make a fresh context (phone viewport, JavaScript off, another locale); closed after."""
    contexts: list[BrowserContext] = []

    def make(**options) -> BrowserContext:
        options.setdefault("viewport", DESKTOP)
        options.setdefault("locale", "en-GB")
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        _PolicyWatch.watch(context)
        contexts.append(context)
        return context

    with contextlib.contextmanager(_PolicyWatch.around)():
        yield make
    for context in contexts:
        context.close()
