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
from pathlib import Path

SUITES = [("engine", "NumPy engine"), ("app", "Dashboard"),
          ("breakdown", "Server CPU per run (AppTest, thread CPU)"),
          ("explore", "Census and sweep"), ("load", "Load test (websocket viewers)")]
README = Path(__file__).resolve().parents[1] / "README.md"


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
    results = []
    for module, title in SUITES:
        if args.quick and module == "load":
            continue
        print(f"== {title} (bench/{module}.py)", flush=True)
        rows = importlib.import_module(f"bench.{module}").measure()
        results.append((title, rows))
        print(table([(title, rows)]), flush=True)
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
