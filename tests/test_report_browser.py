"""The learning report opened in headless Chromium: loads cleanly, draws, prints.

Drives Debian's ``chromium`` through Debian's ``chromedriver`` (the driver path
is passed explicitly, so Selenium Manager, which downloads drivers, never
runs). Without them the tests skip, except in CI, where they must run.
"""

from __future__ import annotations

import base64
import importlib.util
import os
import re
import shutil
import struct
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import pytest

from incident_learning import samples
from incident_learning.report import write_report

if TYPE_CHECKING:
    from selenium.webdriver.chrome.webdriver import WebDriver

AS_OF = date(2025, 12, 31)
TITLE = "Learning report: Oakvale Care Group, as of 2025-12-31"
SECTIONS = ("headline", "culture", "loop", "cards", "reach", "warnings", "evidence")
WINDOW = (1280, 2000)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TRUE_VALUES = frozenset({"1", "true", "yes", "on"})


# ---------------------------------------------------------------- availability


class Browser(NamedTuple):
    """Where the browser and its driver are."""

    chromium: str
    chromedriver: str


def missing_tools() -> list[str]:
    """Return what the browser tests need and cannot find, in a fixed order."""
    missing = [name for name in ("chromium", "chromedriver") if not shutil.which(name)]
    if importlib.util.find_spec("selenium") is None:
        missing.append("selenium")
    return missing


def in_ci() -> bool:
    """Return whether the environment variable ``CI`` is set to a true value."""
    return os.environ.get("CI", "").strip().lower() in TRUE_VALUES


def require_browser() -> Browser:
    """Return the browser's paths; skip without them, or fail when in CI."""
    missing = missing_tools()
    if missing:
        reason = (
            f"{', '.join(missing)} not installed: install Debian's chromium and "
            "chromium-driver (.ci/run does) and the pinned `test` group"
        )
        if in_ci():
            pytest.fail(f"CI is set, so the browser test must run: {reason}")
        pytest.skip(reason)
    chromium, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    assert chromium is not None
    assert chromedriver is not None
    return Browser(chromium, chromedriver)


def _pretend(monkeypatch: pytest.MonkeyPatch, *missing: str) -> None:
    """Pretend every tool is installed under /usr/bin except those *missing*."""
    real_find_spec = importlib.util.find_spec

    def which(name: str, *_args: object, **_kwargs: object) -> str | None:
        return None if name in missing else f"/usr/bin/{name}"

    def find_spec(name: str, *args: Any) -> Any:
        if name == "selenium":
            return None if name in missing else real_find_spec("pytest")
        return real_find_spec(name, *args)

    monkeypatch.setattr(shutil, "which", which)
    monkeypatch.setattr(importlib.util, "find_spec", find_spec)


def test_missing_tools_none_when_all_are_found(monkeypatch: pytest.MonkeyPatch) -> None:
    """With chromium, chromedriver and selenium found, nothing is missing."""
    _pretend(monkeypatch)
    monkeypatch.setenv("CI", "true")
    assert missing_tools() == []
    assert require_browser() == Browser("/usr/bin/chromium", "/usr/bin/chromedriver")


def test_missing_tools_names_each_missing_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """A missing browser, driver or selenium is named."""
    _pretend(monkeypatch, "chromium", "chromedriver", "selenium")
    assert missing_tools() == ["chromium", "chromedriver", "selenium"]


@pytest.mark.parametrize("value", ["", "0", "false", "no", "off"])
def test_require_browser_skips_outside_ci(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """Without chromedriver and outside CI the browser test skips, saying what to install."""
    _pretend(monkeypatch, "chromedriver")
    monkeypatch.setenv("CI", value)
    with pytest.raises(
        pytest.skip.Exception, match="chromedriver not installed"
    ) as info:
        require_browser()
    assert "install Debian's chromium and chromium-driver" in str(info.value)


def test_require_browser_skips_when_ci_is_unset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without selenium and with CI unset the browser test skips."""
    _pretend(monkeypatch, "selenium")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="selenium not installed"):
        require_browser()


@pytest.mark.parametrize("value", ["true", "1", "TRUE", "yes", " on "])
def test_require_browser_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """Without chromedriver in CI the browser test fails rather than skipping."""
    _pretend(monkeypatch, "chromedriver")
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match="CI is set, so the browser test"):
        require_browser()


# ---------------------------------------------------------------- the browser


class Page(NamedTuple):
    """The report opened in the browser, and what the console said while loading."""

    driver: WebDriver
    path: Path
    console: list[dict[str, Any]]


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    """Open the example report in one headless Chromium session for the module."""
    browser = require_browser()
    from selenium import webdriver  # noqa: PLC0415 - only once it is known to exist
    from selenium.webdriver.chrome.service import Service  # noqa: PLC0415

    path = tmp_path_factory.mktemp("browser") / "report.html"
    write_report(path, samples.example_log(), as_of=AS_OF)

    options = webdriver.ChromeOptions()
    options.binary_location = browser.chromium
    for argument in (
        "--headless=new",
        "--no-sandbox",  # we run as root in CI
        "--disable-gpu",
        "--disable-dev-shm-usage",  # containers often have a small /dev/shm
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver path: Selenium Manager (which downloads) never runs.
    service = Service(executable_path=browser.chromedriver)
    driver = webdriver.Chrome(service=service, options=options)
    try:
        driver.set_page_load_timeout(60)
        driver.get(path.as_uri())
        # Read once: get_log empties the browser's buffer. (Selenium leaves
        # ChromiumDriver.get_log unannotated.)
        console: list[dict[str, Any]] = driver.get_log("browser")  # type: ignore[no-untyped-call]
        yield Page(driver, path, console)
    finally:
        driver.quit()


def test_page_loads_with_its_title(page: Page) -> None:
    """The report loads completely and has its title."""
    assert page.driver.execute_script("return document.readyState") == "complete"
    assert page.driver.title == TITLE


def test_no_console_errors(page: Page) -> None:
    """Loading the report logs nothing of level SEVERE to the console."""
    severe = [entry for entry in page.console if entry.get("level") == "SEVERE"]
    assert severe == []


def test_nothing_is_fetched(page: Page) -> None:
    """The self-contained report loads no other resource."""
    script = "return performance.getEntriesByType('resource').map(e => e.name)"
    assert page.driver.execute_script(script) == []


_CHARTS_SCRIPT = """
return Array.from(document.querySelectorAll('svg[role="img"]')).map(svg => {
  const box = svg.getBoundingClientRect();
  const drawn = Array.from(svg.querySelectorAll('path')).filter(path => {
    const b = path.getBBox();
    return b.width > 0 || b.height > 0;
  });
  const title = document.getElementById(svg.getAttribute('aria-labelledby'));
  return {
    id: svg.id,
    width: box.width,
    height: box.height,
    drawn: drawn.length,
    labelledby: svg.getAttribute('aria-labelledby'),
    title: title ? title.textContent.trim() : '',
  };
});
"""


def test_every_chart_renders(page: Page) -> None:
    """Every chart has a non-zero box, drawn paths and its own title."""
    charts: list[dict[str, Any]] = page.driver.execute_script(_CHARTS_SCRIPT)
    html = page.path.read_text(encoding="utf-8")
    assert len(charts) == html.count('role="img"') > 0
    assert any(chart["id"].startswith("chart-headline-") for chart in charts)
    assert any(chart["id"].startswith("chart-culture-") for chart in charts)
    assert any(chart["id"].startswith("chart-effect-") for chart in charts)
    for chart in charts:
        assert chart["id"].startswith("chart-"), chart
        assert chart["width"] > 0, chart
        assert chart["height"] > 0, chart
        assert chart["drawn"] > 0, chart
        assert chart["labelledby"] == f"{chart['id']}-title", chart
        assert chart["title"], chart


@pytest.mark.parametrize("section", SECTIONS)
def test_section_is_visible(page: Page, section: str) -> None:
    """Every section and its heading exist and are displayed."""
    from selenium.webdriver.common.by import By  # noqa: PLC0415

    assert page.driver.find_element(By.ID, section).is_displayed()
    assert page.driver.find_element(By.ID, f"{section}-h").is_displayed()


def _keep(data: bytes, name: str, tmp_path: Path) -> Path:
    """Write *data* to *tmp_path*, and copy it to ``REPORT_SCREENSHOT_DIR`` if set."""
    path = tmp_path / name
    path.write_bytes(data)
    keep = os.environ.get("REPORT_SCREENSHOT_DIR")
    if keep:
        folder = Path(keep)
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, folder / name)
    return path


def test_full_page_screenshot(page: Page, tmp_path: Path) -> None:
    """A screenshot of the whole page, not just the window, is a real PNG."""
    size = page.driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    width, height = int(size["width"]), int(size["height"])
    assert height > WINDOW[1]  # the report is longer than one window
    shot = page.driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        },
    )
    png = base64.b64decode(shot["data"])
    path = _keep(png, "report.png", tmp_path)
    assert png.startswith(PNG_SIGNATURE)
    assert png[12:16] == b"IHDR"
    assert struct.unpack(">II", png[16:24]) == (width, height)
    assert path.stat().st_size > 100_000


def test_prints_to_pdf(page: Page, tmp_path: Path) -> None:
    """Printed on A4 the report is a PDF of at least a page per section."""
    printed = page.driver.execute_cdp_cmd(
        "Page.printToPDF",
        {"printBackground": True, "paperWidth": 8.27, "paperHeight": 11.69},
    )
    pdf = base64.b64decode(printed["data"])
    _keep(pdf, "report.pdf", tmp_path)
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    # each section starts a new page, after the title page with the contents
    assert pages > len(SECTIONS)
