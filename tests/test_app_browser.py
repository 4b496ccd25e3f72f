"""End to end: `streamlit run app.py` on 127.0.0.1, driven by Debian's headless Chromium.

Never downloads a browser: Playwright's Python package drives /usr/bin/chromium; the test is
skipped when either is missing.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import build_app_project

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, server: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit s'est arrêté : {server.stdout.read()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"streamlit ne répond pas sur {url}")


@pytest.fixture
def server(tmp_path):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (/usr/bin/chromium)")
    pytest.importorskip("playwright.sync_api")
    built = build_app_project(tmp_path)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.address",
         "127.0.0.1", "--server.port", str(port), "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env={**os.environ, "LISTENING_PROJECT": str(built.path)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.mark.parametrize("stages", [["Décision", "Déclaration", "Stabilisation"]])
def test_parcours_page_draws_the_journey_stages(server, stages):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{server}/parcours", wait_until="domcontentloaded")
            page.get_by_role("heading", name="Parcours").wait_for(timeout=60_000)
            journey = page.locator(".js-plotly-plot").first
            journey.wait_for(timeout=60_000)
            for stage in stages:
                journey.locator("g.annotation text", has_text=stage).first.wait_for(
                    timeout=30_000)
            drawn = journey.locator("g.annotation text").all_text_contents()
            labels = [t for t in drawn if t in stages]
            assert labels == stages  # drawn left to right, in time order
            assert "2 irritants" in " ".join(drawn)
            assert page.get_by_text("3 segments codés").count() >= 1
            assert page.locator('[data-testid="stException"]').count() == 0
        finally:
            browser.close()
