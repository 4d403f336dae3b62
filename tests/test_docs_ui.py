"""The docs UI as an advocate uses it: headless Chromium (Debian's package, driven through its own
chromedriver; nothing downloaded) opens /docs, runs the search operation with a Russian query and
finds the record's title in the rendered response. A screenshot lands in test-output/."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.runtime.meili import start_local
from tests.support.browser import chromium
from tests.support.servers import api_server, empty_database, seed_database

OUTPUT = Path(__file__).resolve().parent.parent / "test-output"


@pytest.fixture(scope="module")
def docs_server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    seed_database(database_url)
    meili = start_local(tmp_path_factory.mktemp("meili"))
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MEILI_URL": meili.url,
        "MEILI_MASTER_KEY": meili.master_key,
    }
    try:
        # Ready once the seed is in the index.
        with api_server(env, "/readyz", b'"outbox_pending":0') as url:
            yield url
    finally:
        meili.stop()
        empty_database(database_url)


def test_search_from_the_docs_page(docs_server: str) -> None:
    # Not skipped: `make test` installs them (`make browser`).
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver = chromium(height=1800)
    try:
        wait = WebDriverWait(driver, 30)
        driver.get(f"{docs_server}/docs")
        operation = wait.until(
            ec.element_to_be_clickable((By.CSS_SELECTOR, "#operations-Search-search .opblock-summary"))
        )
        # A public read shows no padlock, a write does; a kind's files sit under the kind.
        assert not driver.find_elements(By.CSS_SELECTOR, "#operations-Search-search .authorization__btn")
        assert driver.find_elements(By.CSS_SELECTOR, "#operations-Laws-create_law .authorization__btn")
        assert driver.find_elements(By.CSS_SELECTOR, "#operations-Laws-upload_law_attachment")
        operation.click()
        wait.until(
            ec.element_to_be_clickable((By.CSS_SELECTOR, "#operations-Search-search .try-out__btn"))
        ).click()
        box = wait.until(
            ec.presence_of_element_located(
                (By.CSS_SELECTOR, '#operations-Search-search tr[data-param-name="q"] input')
            )
        )
        box.clear()
        box.send_keys("закон о внешней миграции")
        driver.find_element(By.CSS_SELECTOR, "#operations-Search-search .execute").click()
        body = wait.until(
            ec.presence_of_element_located(
                (
                    By.CSS_SELECTOR,
                    "#operations-Search-search .live-responses-table .response-col_description pre",
                )
            )
        )
        wait.until(lambda d: "law-kg-external-migration-2000" in body.text)
        assert (
            'Law of the Kyrgyz Republic \\"On External Migration\\"' in body.text
            or "External Migration" in body.text
        )
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", body)
        OUTPUT.mkdir(exist_ok=True)
        driver.save_screenshot(str(OUTPUT / "docs-search.png"))
    finally:
        driver.quit()
