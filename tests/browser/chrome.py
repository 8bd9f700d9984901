"""Real headless Chromium for the browser tests: Debian's ``chromium`` and ``chromedriver``
(installed by ``.ci/run``) driven through Selenium with an explicit driver path, so nothing
is downloaded. Every request the page makes is read back from the DevTools performance log.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest

CHROMIUM = os.environ.get("LLMGW_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("LLMGW_CHROMEDRIVER", "/usr/bin/chromedriver")
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
    "--disable-default-apps", "--disable-extensions",
)  # fmt: skip


def available() -> None:
    """Skip where Chromium is not installed, but never in CI (there it must be)."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not os.path.exists(p)]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package (pip install -e '.[test]')")
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests need {', '.join(missing)}")
        pytest.skip(f"not installed: {', '.join(missing)}")


@dataclass
class Request:
    url: str
    failed: str | None  # the loading error (net::ERR_...), None when it loaded


class Browser:
    def __init__(self, driver: Any) -> None:
        self.driver = driver

    def offline(self, on: bool = True) -> None:
        """Cut the page off the network (loopback included), as DevTools' "Offline" does."""
        self.driver.execute_cdp_cmd("Network.enable", {})
        self.driver.execute_cdp_cmd(
            "Network.emulateNetworkConditions",
            {"offline": on, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )

    def open(self, url: str) -> list[Request]:
        """Navigate to ``url``; returns every request the page made (the page itself first)."""
        self.driver.get_log("performance")  # drop what came before
        self.driver.get(url)
        return self.requests()

    def requests(self) -> list[Request]:
        sent: dict[str, Request] = {}
        for entry in self.driver.get_log("performance"):
            msg = json.loads(entry["message"])["message"]
            params = msg.get("params", {})
            if msg["method"] == "Network.requestWillBeSent":
                if params.get("documentURL", "").startswith("chrome:"):
                    continue  # the browser's own start page, not ours
                sent[params["requestId"]] = Request(params["request"]["url"], None)
            elif msg["method"] == "Network.loadingFailed" and params["requestId"] in sent:
                sent[params["requestId"]].failed = params.get("errorText", "failed")
        return list(sent.values())

    def js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)

    def cookies(self) -> list[dict[str, Any]]:
        return list(self.driver.get_cookies())


@contextmanager
def chromium(width: int = 1360, height: int = 900) -> Iterator[Browser]:
    available()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="llmgw-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={width},{height}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.get("about:blank")  # leave the start page before any test counts requests
    try:
        yield Browser(driver)
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
