"""``app.py`` with ``gc.freeze()`` once after its imports: the bench's ``freeze`` GC mode.

Streamlit runs this file as the main script on every run. The first run imports what
the app imports (``app.py``'s own import lines, read from its source, so nothing is
re-listed here), freezes every object alive then into the permanent generation and
compiles ``app.py`` once (as Streamlit caches its main script's code); every run then
executes it unchanged. Used only by ``bench.server``.
"""

import ast
import gc
import importlib
import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app.py"

if not hasattr(sys, "_bench_app_code"):  # the first run: import, freeze, compile once
    SOURCE = APP.read_text(encoding="utf-8")
    for node in ast.parse(SOURCE).body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                importlib.import_module(alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            importlib.import_module(node.module)
    gc.freeze()
    sys._bench_app_code = compile(SOURCE, str(APP), "exec")

exec(sys._bench_app_code)  # noqa: S102 - the app's own source, unchanged
