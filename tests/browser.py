"""A real headless browser for the tests: Playwright (PyPI `playwright`) driving the system's Chromium, Debian's
package at /usr/bin/chromium. No browser is ever downloaded (`playwright install` is not needed): Playwright
launches that executable, with its own temporary profile, and closes it (and its child processes) on exit.

    with open_page() as tab:              # requests to anything but loopback are refused and listed in tab.blocked
        tab.page.goto(url)

`skip_reason()` says why a browser test cannot run here (Playwright or Chromium missing), for `pytest.skip`.
"""

from __future__ import annotations

import shutil
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser")
DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
# Headless in a container, quiet: no sandbox (no user namespaces here), no GPU, no background traffic to Google.
FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
)
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def chromium_path() -> str | None:
    """Debian's chromium, else the first `chromium` on PATH; None when there is none."""
    if DEBIAN_CHROMIUM.exists():
        return str(DEBIAN_CHROMIUM)
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def skip_reason() -> str | None:
    """Why a browser test cannot run here, or None when it can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[dev]')"
    if chromium_path() is None:
        return "chromium is not installed (Debian: apt-get install -y chromium; .ci/run installs it when root)"
    return None


@dataclass
class Tab:
    """One page of a headless Chromium, and the requests it tried to send off the machine (refused)."""

    page: object  # playwright.sync_api.Page
    blocked: list[str] = field(default_factory=list)


@contextmanager
def open_page(width: int = 1400, height: int = 1000, loopback_only: bool = True) -> Iterator[Tab]:
    """A fresh browser and page. With `loopback_only` (the default) every request to a host other than this
    machine is aborted and recorded in `Tab.blocked`: a page that needs the internet (a CDN, map tiles) shows it."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise RuntimeError(skip_reason())
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=list(FLAGS), headless=True)
        try:
            context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
            tab = Tab(context.new_page())
            if loopback_only:

                def route(route) -> None:
                    url = route.request.url
                    host = urllib.parse.urlsplit(url).hostname or ""
                    if url.startswith(("data:", "blob:", "about:")) or host in LOOPBACK:
                        route.continue_()
                    else:
                        tab.blocked.append(url)
                        route.abort()

                context.route("**/*", route)
            yield tab
        finally:
            browser.close()


class Chromium:
    """The interface of the former hand-written DevTools client (goto, evaluate, wait_for, screenshot), kept for
    tests written against it, now on Playwright: `with Chromium(profile_dir) as browser: ...`. The profile
    folder is ignored (Playwright makes and removes its own)."""

    def __init__(self, profile_dir: Path | None = None, width: int = 1400, height: int = 1800) -> None:
        self._session = open_page(width, height)

    def __enter__(self) -> Chromium:
        self.tab = self._session.__enter__()
        return self

    def goto(self, url: str) -> None:
        self.tab.page.goto(url)

    def evaluate(self, expression: str):
        return self.tab.page.evaluate(expression)

    def wait_for(self, expression: str, timeout: float = 90) -> bool:
        """Wait until a JavaScript expression is true; False at the timeout."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            self.tab.page.wait_for_function(expression, timeout=timeout * 1000, polling=500)
        except PlaywrightTimeout:
            return False
        return True

    def screenshot(self, path: Path) -> Path:
        self.tab.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        self._session.__exit__(None, None, None)

    def __exit__(self, *exc) -> None:
        self.close()
