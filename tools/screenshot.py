"""Photograph the running app: ``streamlit run app.py`` headless, opened in Chromium.

    python tools/screenshot.py                                   # full page, 1400 wide
    python tools/screenshot.py --query "hidden=3&lr=abc" --out screenshots-tmp/bad.png
    python tools/screenshot.py --width 400 --height 900 --out docs/screenshot-narrow.png
    python tools/screenshot.py --click-tab "Seed census"         # a top-level tab
    python tools/screenshot.py --click-tab Run --click-tab "Why stuck?" --no-full-page

Uses the same helpers as the real-browser test (``tests/browser.py``). Prints the path,
the time taken, and the text of any exception box the app showed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import (  # noqa: E402  (needs the path above)
    EXCEPTION,
    launch_chromium,
    screenshot,
    serve_app,
    wait_for_all_charts,
    wait_for_app,
    wait_for_rerun,
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--app", default="app.py", help="script to run (default: app.py)")
    parser.add_argument("--query", default="",
                        help='URL query without the "?", e.g. "hidden=3&lr=0.5"')
    parser.add_argument("--port", type=int, default=None,
                        help="port for the app's server (default: a free one)")
    parser.add_argument("--width", type=int, default=1400, help="viewport width (px)")
    parser.add_argument("--height", type=int, default=1000, help="viewport height (px)")
    parser.add_argument("--full-page", action=argparse.BooleanOptionalAction, default=True,
                        help="capture the whole scrollable page (default) or the viewport")
    parser.add_argument("--click-tab", action="append", default=[], metavar="NAME",
                        help="click the tab with this label before the shot; repeatable, "
                             "in order (outer tab first)")
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots-tmp" / "app.png",
                        help="PNG to write (default: screenshots-tmp/app.png, git-ignored)")
    parser.add_argument("--timeout", type=float, default=90,
                        help="seconds to wait for each script run (default: 90)")
    args = parser.parse_args(argv)
    for name in ("width", "height"):
        if getattr(args, name) < 100:
            parser.error(f"--{name} must be >= 100 px, got {getattr(args, name)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from playwright.sync_api import sync_playwright

    start = time.monotonic()
    with serve_app(args.app, args.query, port=args.port) as url, sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page(viewport={"width": args.width, "height": args.height})
            page.goto(url)
            wait_for_app(page, args.timeout)
            for name in args.click_tab:
                tab = page.get_by_role("tab", name=name, exact=True)
                if tab.count() == 0:
                    labels = page.get_by_role("tab").all_inner_texts()
                    print(f"no tab named {name!r}; tabs on the page: {labels}", file=sys.stderr)
                    return 2
                wait_for_rerun(page, tab.first.click, args.timeout)
            wait_for_all_charts(page)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            screenshot(page, args.out, args.full_page)
            errors = page.locator(EXCEPTION).all_inner_texts()
        finally:
            browser.close()
    print(f"{args.out}  ({time.monotonic() - start:.1f} s, {url})")
    for error in errors:
        print(f"the app showed an exception:\n{error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
