"""Every benchmark of the project in one run: ``python -m bench [--quick] [--readme]``.

Each figure is printed next to its reference (a plain loop, a budget or a target),
as a ratio where there is one. ``--readme`` rewrites the table in README.md
between the ``bench-table`` markers. ``--quick`` skips the load tests (30 and 90
explorers, the census scenario, 1 vs 2 replicas behind nginx: about 6 minutes).
"""

from __future__ import annotations

import argparse
import importlib
import platform
import re
import time
from pathlib import Path

SUITES = [("engine", "NumPy engine"), ("app", "Dashboard"),
          ("breakdown", "Server CPU per run (AppTest, thread CPU)"),
          ("floor", "Streamlit's floor: the page's elements alone, in turns with the app"),
          ("explore", "Census and sweep"), ("load", "Load test (websocket viewers)")]
README = Path(__file__).resolve().parents[1] / "README.md"


def machine_loop() -> float:
    """Seconds for a fixed pure-Python loop (2,000,000 additions), the best of three.

    Timed at the start and the end of a run: this machine's speed drifts (the same loop
    has taken 0.45 to 0.8 s per 5,000,000 within an hour), and the rows in milliseconds
    move with it, so the table says how fast the machine was while it was measured.
    """
    best = float("inf")
    for _ in range(3):
        start, total = time.perf_counter(), 0
        for i in range(2_000_000):
            total += i
        best = min(best, time.perf_counter() - start)
    return best


def _machine_rows(start: float, end: float) -> list[dict]:
    return [{"name": "fixed pure-Python loop, at the start of this run", "value": start,
             "unit": "s", "reference": None, "ratio": None, "target": ""},
            {"name": "the same loop at the end (ref: at the start): the machine's drift",
             "value": end, "unit": "s", "reference": start, "ratio": end / start,
             "target": "near 1x: the rows above are comparable"}]


def _fmt(value, unit):
    if value is None or value != value:
        return "-"
    return f"{value:.3g} {unit}".strip()


def table(results) -> str:
    lines = ["| suite | measurement | value | reference | ratio | target |",
             "|---|---|---|---|---|---|"]
    for suite, rows in results:
        for r in rows:
            ratio = r.get("ratio")
            ratio = f"{ratio:.3g}×" if ratio is not None and ratio == ratio else "-"
            lines.append(f"| {suite} | {r['name']} | {_fmt(r['value'], r['unit'])} | "
                         f"{_fmt(r.get('reference'), r['unit'])} | {ratio} | "
                         f"{r.get('target', '')} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="skip the full load test")
    parser.add_argument("--readme", action="store_true", help="rewrite README's table")
    args = parser.parse_args(argv)
    results, start = [], machine_loop()
    for module, title in SUITES:
        if args.quick and module == "load":
            continue
        print(f"== {title} (bench/{module}.py)", flush=True)
        rows = importlib.import_module(f"bench.{module}").measure()
        results.append((title, rows))
        print(table([(title, rows)]), flush=True)
    results.append(("Machine", _machine_rows(start, machine_loop())))
    print(table(results[-1:]), flush=True)
    text = table(results)
    machine = f"{platform.processor() or platform.machine()}, Python {platform.python_version()}"
    print("\n" + text)
    if args.readme:
        block = f"<!-- bench-table -->\nMeasured with `python -m bench` ({machine}).\n\n{text}\n"
        old = README.read_text(encoding="utf-8")
        new = re.sub(r"<!-- bench-table -->.*?(?=<!-- /bench-table -->)", lambda _: block, old,
                     flags=re.S)
        README.write_text(new, encoding="utf-8")
        print(f"updated {README.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
