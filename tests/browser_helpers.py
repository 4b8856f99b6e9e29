"""What every browser test shares: Debian's Chromium and its flags (the session browser of tests/conftest.py
starts it with these), and a browser journey in a thread of its own, for tests that do database work between
journeys.

Playwright's sync API keeps an event loop in the thread that started it; a journey in its own thread can
run whatever the session's shared browser is doing, and database work stays in the test's thread.
"""
import threading

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def in_browser(journey, *, viewport=None, timeout_seconds=120):
    outcome = {}

    def run():
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
                options = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
                if viewport:
                    options["viewport"] = viewport
                context = browser.new_context(**options)
                context.set_default_timeout(15000)
                try:
                    journey(context.new_page())
                finally:
                    browser.close()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout_seconds)
    if "error" in outcome:
        raise outcome["error"]
    assert not thread.is_alive(), "the browser journey did not finish"
