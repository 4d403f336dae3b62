"""The pages in a real browser, as an advocate uses them: headless Chromium (Debian's, through its
own chromedriver; nothing downloaded) searches in Russian, follows a facet, switches to Kyrgyz,
searches in Kyrgyz, opens the record, downloads its file, reads the timeline and the feed, and
works at 360 px wide. axe-core (tests/site/axe, installed by `make axe`) is injected into the
search, record, timeline and indicator pages and must find no serious or critical violation. Screenshots land
in test-output/site/."""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.runtime.meili import start_local
from tests.support.browser import chromium
from tests.support.servers import api_key, api_server, empty_database, run_jobs, seed_database

ROOT = Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "test-output" / "site"
AXE = ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
KG_LAW = "law-kg-external-labour-migration-2006"
INDICATOR = "remittances-gdp"
FILE_TEXT = "Статья 1.\n\nТрудящиеся-мигранты имеют право на защиту своих трудовых прав.\n"


@pytest.fixture(scope="module")
def site_server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    seed_database(database_url)
    meili = start_local(tmp_path_factory.mktemp("meili"))
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MEILI_URL": meili.url,
        "MEILI_MASTER_KEY": meili.master_key,
        "RATE_LIMIT_ANONYMOUS": "1000000/minute",
        "RATE_LIMIT_KEY": "1000000/minute",
    }
    try:
        with api_server(env, "/readyz", b'"outbox_pending":0') as url:
            editor = api_key(env, "editor", "site browser test")
            r = httpx.post(
                f"{url}/v1/laws/{KG_LAW}/attachments",
                files={"file": ("закон.txt", FILE_TEXT.encode(), "application/octet-stream")},
                data={"title": "Текст закона", "languages": "ru"},
                headers=editor,
            )
            assert r.status_code == 201, r.text
            asyncio.run(run_jobs(database_url))  # its text extracted, as the worker does
            yield url
    finally:
        meili.stop()
        empty_database(database_url)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    downloads = tmp_path_factory.mktemp("downloads")
    driver = chromium(
        height=1400,
        prefs={
            "intl.accept_languages": "ru-RU,ru",
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
        },
    )
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()


def axe_violations(driver: Any) -> list[dict[str, Any]]:
    """Serious and critical violations axe-core finds on the page as it stands."""
    assert AXE.exists(), "needs axe-core: run `make axe`"
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map(v => ("
        "{id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))));"
    )
    return [v for v in found if v["impact"] in ("serious", "critical")]


def shot(driver: Any, name: str) -> None:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(OUTPUT / name))


def test_an_advocate_searches_reads_and_follows(site_server: str, browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    driver, wait = browser, WebDriverWait(browser, 30)
    report: dict[str, Any] = {}

    # The home page in the browser's language (Russian), then a Russian search typed in its form.
    driver.get(f"{site_server}/")
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ru"
    box = driver.find_element(By.ID, "q")
    box.send_keys("трудовые мигранты")
    box.submit()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "ol.hits li.hit")))
    assert "/ru/search?q=" in driver.current_url
    titles = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "ol.hits h3 a")]
    assert len(titles) == 10 and any("мигрант" in t.lower() for t in titles), titles
    report["search"] = axe_violations(driver)
    shot(driver, "search-ru.png")

    # A facet narrows the search.
    driver.find_element(By.CSS_SELECTOR, "a[data-facet='country'][data-value='KG']").click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "section.active")))
    assert "country=KG" in driver.current_url
    shot(driver, "search-ru-kg.png")

    # The switcher keeps the search in Kyrgyz; then a Kyrgyz search finds the law.
    driver.find_element(By.CSS_SELECTOR, "nav.langs a[hreflang='ky']").click()
    wait.until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ky")
    assert "/ky/search?" in driver.current_url and "country=KG" in driver.current_url
    box = driver.find_element(By.ID, "q")
    box.clear()
    box.send_keys("Тышкы эмгек миграциясы")
    box.submit()
    link = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, f"ol.hits a[href='/ky/laws/{KG_LAW}']")))
    shot(driver, "search-ky.png")
    link.click()

    # The record in Kyrgyz: marked as a machine translation, in force, its file to download.
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "article.record h1")))
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ky"
    assert "Тышкы эмгек миграциясы" in driver.find_element(By.CSS_SELECTOR, "h1").text
    assert driver.find_elements(By.CSS_SELECTOR, ".mark-machine")
    report["record"] = axe_violations(driver)
    shot(driver, "record-ky.png")
    driver.find_element(By.CSS_SELECTOR, "a.download").click()
    deadline = time.monotonic() + 20
    while not [p for p in Path(driver.downloads).iterdir() if not p.name.endswith(".crdownload")]:
        assert time.monotonic() < deadline, "the file never arrived"
        time.sleep(0.2)
    (saved,) = list(Path(driver.downloads).iterdir())
    assert saved.read_text(encoding="utf-8") == FILE_TEXT

    # Coming from a search, the record says which pages of its file match.
    driver.get(f"{site_server}/ru/laws/{KG_LAW}?q=мигранты")
    marks = driver.find_elements(By.CSS_SELECTOR, "ul.pages mark")
    assert marks and "мигранты" in marks[0].text.lower()
    shot(driver, "record-ru-matched-pages.png")

    # The timeline.
    driver.get(f"{site_server}/ru/timeline?country=KG")
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "ol.timeline li")))
    report["timeline"] = axe_violations(driver)
    shot(driver, "timeline-ru.png")

    # The indicator: its chart drawn in Russian, the table of values with their sources, a filter.
    driver.get(f"{site_server}/ru/indicators")
    shot(driver, "indicators-ru.png")
    driver.find_element(By.CSS_SELECTOR, f"ul.indicators a[href='/ru/indicators/{INDICATOR}']").click()
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "table.observations tbody tr")))
    chart = driver.find_element(By.CSS_SELECTOR, "figure.chart img")
    wait.until(lambda d: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth", chart))
    assert "Личные денежные переводы" in chart.get_attribute("alt")
    assert driver.find_elements(By.CSS_SELECTOR, "tr.via .via-mark")
    report["indicator"] = axe_violations(driver)
    shot(driver, "indicator-ru.png")
    Select(driver.find_element(By.NAME, "country")).select_by_value("KG")
    driver.find_element(By.NAME, "from").send_keys("2015")
    driver.find_element(By.CSS_SELECTOR, "form.filters button").click()
    wait.until(lambda d: "country=KG" in d.current_url)
    countries = {
        td.text for td in driver.find_elements(By.CSS_SELECTOR, "table.observations tbody td:first-child")
    }
    assert countries == {"Киргизия"}, countries
    chart = driver.find_element(By.CSS_SELECTOR, "figure.chart img")
    wait.until(lambda d: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth", chart))
    shot(driver, "indicator-ru-kg.png")
    driver.execute_script("document.querySelector('table.observations').scrollIntoView()")
    shot(driver, "indicator-ru-kg-table.png")

    # The feed the search page links.
    driver.get(f"{site_server}/ru/search?q=мигранты&country=KG")
    feed = driver.find_element(By.CSS_SELECTOR, "link[type='application/atom+xml']").get_attribute("href")
    driver.get(feed)
    assert "urn:uuid:" in driver.page_source and "/ru/" in driver.page_source
    assert "правах мигрантов" in driver.page_source  # read as UTF-8: the feed says its charset
    shot(driver, "feed.png")

    # 360 px wide: nothing wider than the screen.
    driver.set_window_size(360, 800)
    driver.get(f"{site_server}/ru/search?q=трудовые мигранты")
    wait.until(ec.presence_of_element_located((By.CSS_SELECTOR, "ol.hits li.hit")))
    width = driver.execute_script("return document.documentElement.scrollWidth")
    assert width <= 360, width
    shot(driver, "search-ru-360.png")
    driver.get(f"{site_server}/ky/laws/{KG_LAW}")
    assert driver.execute_script("return document.documentElement.scrollWidth") <= 360
    shot(driver, "record-ky-360.png")
    driver.get(f"{site_server}/ru/indicators/{INDICATOR}")
    assert driver.execute_script("return document.documentElement.scrollWidth") <= 360
    shot(driver, "indicator-ru-360.png")
    driver.execute_script("document.querySelector('figure.chart').scrollIntoView()")
    shot(driver, "indicator-ru-360-chart.png")
    driver.execute_script("document.querySelector('table.observations').scrollIntoView()")
    shot(driver, "indicator-ru-360-table.png")
    driver.set_window_size(1280, 1400)

    (OUTPUT / "axe.json").write_text(json.dumps(report, ensure_ascii=False, indent=1))
    assert report == {"search": [], "record": [], "timeline": [], "indicator": []}, report
    # The check can fail: an image without a text alternative and an unlabelled field are caught.
    driver.get(f"{site_server}/ru/timeline")
    driver.execute_script(
        "document.querySelector('main').insertAdjacentHTML('beforeend',"
        ' \'<img src="/assets/site.css"><input type="text">\');'
    )
    assert {"image-alt", "label"} <= {v["id"] for v in axe_violations(driver)}
