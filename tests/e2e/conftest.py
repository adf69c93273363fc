"""End-to-end fixtures: Kinerja on waitress in a thread, and Debian's headless Chromium
driven by Playwright (never ``playwright install``: the system browser is used).

Every page needs a login: ``page`` is signed in as the head ``kepala`` (office "Dinas Uji");
``page_as("auditor")`` opens a fresh context signed in as another user of
``tests.webui.conftest.USERS``; ``anonymous_page`` is signed in as nobody."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
SKIP_REASON = f"{CHROMIUM} is absent (apt-get install -y chromium)"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The application of the live server, with the test users (tests.webui.conftest)."""
    from tests.webui.conftest import make_users
    from webui import create_app

    instance = tmp_path_factory.mktemp("e2e-instance")
    app = create_app({"SECRET_KEY": "e2e", "SQLALCHEMY_DATABASE_URI": "sqlite:///e2e.sqlite",
                      "LOGIN_RATE_LIMIT": "1000 per minute"}, instance_path=instance)
    make_users(app)
    return app


@pytest.fixture(scope="session")
def live_server(live_app: Any) -> Iterator[str]:
    """The application on waitress at 127.0.0.1 and a free port, in a fresh instance."""
    import waitress

    server: Any = waitress.create_server(live_app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, name="waitress", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        server.task_dispatcher.shutdown()
        thread.join(timeout=5)


def sign_in(page: Any, base: str, username: str) -> None:
    from tests.webui.conftest import PASSWORD

    page.goto(f"{base}/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(PASSWORD)
    page.locator("form.login-form button[type=submit]").click()
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(SKIP_REASON)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def allowed_console() -> list[str]:
    """Fragments of console errors a test expects (e.g. a 400 answer)."""
    return []


@pytest.fixture
def page_as(browser: Any, allowed_console: list[str], live_server: str) -> Iterator[Any]:
    """``page_as(username)``: a fresh browser context (no cookies) signed in as that user
    (None: nobody), whose console errors fail the test."""
    contexts: list[Any] = []
    errors: list[str] = []

    def open_page(username: str | None) -> Any:
        context = browser.new_context(viewport={"width": 1280, "height": 900},
                                      locale="id-ID")
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: errors.append(message.text)
                if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        if username:
            sign_in(page, live_server, username)
        return page

    yield open_page
    for context in contexts:
        context.close()
    unexpected = [e for e in errors if not any(a in e for a in allowed_console)]
    assert unexpected == [], f"browser console errors (a CSP violation?): {unexpected}"


@pytest.fixture
def page(page_as: Any) -> Any:
    """A fresh browser context signed in as the head ``kepala``."""
    return page_as("kepala")


@pytest.fixture
def anonymous_page(page_as: Any) -> Any:
    return page_as(None)


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
