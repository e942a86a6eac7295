"""Browser-test harness: Python Playwright (sync API) driving the system Chromium against live_server.

- Chromium comes from ``$CHROMIUM`` or /usr/bin/chromium; ``playwright install`` is never needed.
- Without a usable Chromium the tests skip, except when ``$CI`` is set: there they fail.
- ``phone_page`` is a 375x667 touch viewport (the worker portal), ``desktop_page`` 1440x900 (the console).
- ``shot(page, name)`` saves a full-page PNG under test-artifacts/screenshots/; a failing test
  saves one of each open page automatically.
- Tests need ``@pytest.mark.django_db(transaction=True)``: the live server reads the database from
  another thread, so the test's data must be committed.
"""

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio event loop in this thread; Django would then refuse
# ORM calls from the test body ("async-unsafe"). The test body is ordinary synchronous code.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 375, "height": 667}
DESKTOP = {"width": 1440, "height": 900}
FULL_PAGE_STYLE = ".tabbar { position: static !important; }"
SCREENSHOT_DIR = Path(__file__).resolve().parents[4] / "test-artifacts" / "screenshots"


def _unavailable(reason: str):
    """Skip locally; in CI a missing browser is a failure, never a silent skip."""
    if os.environ.get("CI"):
        pytest.fail(f"Browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        _unavailable(f"Chromium not found at {CHROMIUM} (set $CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Python Playwright is not installed")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception as error:  # a broken or incompatible Chromium
        playwright.stop()
        _unavailable(f"Chromium at {CHROMIUM} did not start: {error}")
    yield browser
    browser.close()
    playwright.stop()


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")[:120]


@pytest.fixture
def shot(request):
    """``shot(page, "step")`` saves test-artifacts/screenshots/<test>-<step>.png and returns its path."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)

    def save(page, step: str) -> Path:
        page.wait_for_load_state("load")
        path = SCREENSHOT_DIR / f"{_safe(request.node.name)}-{_safe(step)}.png"
        # A full-page capture would paint the sticky tab bar mid-page; put it at the end instead.
        page.screenshot(path=str(path), full_page=True, style=FULL_PAGE_STYLE)
        return path

    return save


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _new_page(browser, live_server, request, viewport, **options):
    context = browser.new_context(
        viewport=viewport, base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai", **options
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        for number, open_page in enumerate(context.pages):
            try:
                open_page.screenshot(path=str(SCREENSHOT_DIR / f"{_safe(request.node.name)}-FAILED-{number}.png"),
                                     full_page=True)
            except Exception:  # the page may be mid-navigation or closed
                pass
    context.close()


@pytest.fixture
def phone_page(browser, live_server, request):
    """A page in a 375x667 phone viewport (touch, mobile meta-viewport), Chinese locale."""
    yield from _new_page(browser, live_server, request, PHONE, is_mobile=True, has_touch=True,
                         device_scale_factor=2)


@pytest.fixture
def desktop_page(browser, live_server, request):
    """A page in a 1440x900 desktop viewport, Chinese locale."""
    yield from _new_page(browser, live_server, request, DESKTOP)


@pytest.fixture
def sign_in_as(live_server):
    """``sign_in_as(page, user)`` gives the page's browser context a signed-in session for ``user``."""
    from django.conf import settings
    from django.test import Client

    def sign_in(page, user):
        client = Client()
        client.force_login(user, backend="gonghui.accounts.backends.ModelBackend")
        page.context.add_cookies([{
            "name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "url": live_server.url,
        }])

    return sign_in
