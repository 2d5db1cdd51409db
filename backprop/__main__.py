"""``python -m backprop``: the command line (see ``backprop.cli``)."""

from .cli import main

raise SystemExit(main())
