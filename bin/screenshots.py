"""Take the README's screenshots from a running Siyu with the demo data (`bin/run`).

    .venv/bin/python bin/screenshots.py [http://127.0.0.1:8000]

Uses Debian's Chromium through Playwright and writes PNGs to docs/screenshots/.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
PASSWORD = "siyu-demo-2026"
SHOTS = [
    ("agent1", "/", 375, "agent-home-phone.png"),
    ("agent1", "/", 1280, "agent-home-desktop.png"),
    ("lead", "/", 1280, "lead-home.png"),
    ("lead", "/schedule/team/", 1280, "team-calendar.png"),
]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        for username, path, width, name in SHOTS:
            context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
            page = context.new_page()
            page.goto(f"{BASE}/login/")
            page.fill("#id_username", username)
            page.fill("#id_password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
            page.goto(f"{BASE}{path}")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(OUT / name), full_page=True)
            print(OUT / name)
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
