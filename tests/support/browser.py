"""Debian's headless Chromium through its own chromedriver, for the tests that use a real browser
(the docs UI, the pages). Nothing is downloaded: Selenium Manager is told to stay offline."""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")


def chromium(*, width: int = 1280, height: int, prefs: dict[str, Any] | None = None) -> Any:
    """A new headless browser window of this size; `make browser` installs what it needs."""
    assert CHROMIUM and DRIVER, "needs Debian's chromium and chromium-driver: run `make browser`"
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must not fetch anything
    options = Options()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--window-size={width},{height}",
        f"--user-data-dir={tempfile.mkdtemp()}",
    ):
        options.add_argument(arg)
    if prefs:
        options.add_experimental_option("prefs", prefs)
    return webdriver.Chrome(service=Service(DRIVER), options=options)
