"""Every setting of a run, in one frozen dataclass, and its text form.

The field name is the one word used everywhere: the ``TrainConfig`` field, the
CLI flag (``--lr``), the URL query parameter (``?lr=0.1``) and the run-file key.
``FIELDS`` lists each setting's type and allowed values; parsing and validation
are driven from it, so adding a setting means adding one line there.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from dataclasses import dataclass

from .datasets import CONTINUOUS, DATASETS
from .nn import ACTIVATIONS, INITS, LOSSES, OPTIMIZERS

UPDATES = ("batch", "online")


@dataclass(frozen=True)
class Field:
    """One setting, declared once: everything the UI, URL, CLI and run files need.

    name : the one word used as config field, CLI flag, URL parameter and run-file key.
    kind : ``int``, ``float`` or ``choice``; ``lo``/``hi`` bound numbers, ``choices``
        lists the allowed words (the keys of the engine's registry).
    label, help : the widget's label and tooltip (also the CLI's ``--help``).
    widget : ``select``, ``slider`` or ``number``; ``step`` and ``fmt`` shape a number input.
    names : how each choice is shown to a person (``{"mse": "½ squared error"}``).
    live : ``keep`` if live training keeps its weights when this changes, ``reset``
        if it starts over (a new architecture, init or data).
    when : the datasets this setting applies to; empty means all (its widget is
        hidden otherwise, but its value is kept).
    """

    name: str
    kind: str
    label: str
    lo: float | None = None
    hi: float | None = None
    choices: tuple[str, ...] = ()
    lo_open: bool = False  # True when ``lo`` itself is not allowed (lr > 0)
    help: str = ""
    widget: str = "number"
    step: float | None = None
    fmt: str | None = None
    names: dict = dataclasses.field(default_factory=dict, hash=False, compare=False)
    live: str = "reset"
    when: tuple[str, ...] = ()

    def show(self, value) -> str:
        """A choice as a person reads it (its ``names`` entry), else the value itself."""
        return self.names.get(value, str(value))

    def applies(self, dataset: str) -> bool:
        """Whether this setting means anything for ``dataset`` (``when`` empty: always)."""
        return not self.when or dataset in self.when

    def allowed(self) -> str:
        """The allowed range as a sentence fragment, for error messages."""
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        show = (lambda v: str(int(v))) if self.kind == "int" else (lambda v: f"{v:g}")
        low = f"> {show(self.lo)}" if self.lo_open else f">= {show(self.lo)}"
        kind = "a whole number" if self.kind == "int" else "a number"
        return f"{kind} {low} and <= {show(self.hi)}"

    def parse(self, text):
        """Turn text (or a Python value) into this field's type, or raise ValueError."""
        if self.kind == "choice":
            value = str(text).strip().lower()
            if value not in self.choices:
                raise ValueError(self.message(text))
            return value
        try:
            number = float(str(text).strip())
        except ValueError:
            raise ValueError(self.message(text)) from None
        if not math.isfinite(number):
            raise ValueError(self.message(text))
        if self.kind == "int":
            if number != int(number):
                raise ValueError(self.message(text))
            number = int(number)
        too_low = number <= self.lo if self.lo_open else number < self.lo
        if too_low or number > self.hi:
            raise ValueError(self.message(text))
        return number

    def message(self, value) -> str:
        shown = str(value)
        if len(shown) > 40:
            shown = shown[:37] + "..."
        return f"{self.name} must be {self.allowed()}, got {shown!r}"


# Every setting, in the order the sidebar shows them. Adding a setting means one
# entry here, a TrainConfig field with its default, and its maths.
FIELDS = {
    f.name: f
    for f in (
        Field("dataset", "choice", "Dataset", choices=tuple(DATASETS), widget="select",
              help="The four-row truth tables, or two noisy point clouds.",
              names={"xor": "XOR (the tutorial)", "and": "AND", "or": "OR", "nand": "NAND",
                     "xnor": "XNOR", "xor-cloud": "noisy XOR cloud", "circles": "circles"}),
        Field("hidden", "int", "Hidden units", 1, 16, widget="slider",
              help="How many units in the hidden layer (the tutorial uses 2)."),
        Field("activation", "choice", "Hidden activation", choices=tuple(ACTIVATIONS),
              widget="select",
              help="The hidden layer's activation. The output unit is always a sigmoid.",
              names={"sigmoid": "sigmoid (tutorial)", "tanh": "tanh", "relu": "ReLU"}),
        Field("loss", "choice", "Loss", choices=tuple(LOSSES), widget="select", live="keep",
              help="½(a − y)² as in the tutorial, or binary cross-entropy (δ² = a − y).",
              names={"mse": "½ squared error (tutorial)", "bce": "cross-entropy"}),
        Field("lr", "float", "Learning rate", 1e-6, 1000, step=0.05,
              fmt="%.4g", live="keep",
              help="α in W ← W − α·∂L/∂W. The tutorial uses 0.1."),
        Field("epochs", "int", "Epochs", 0, 100_000, step=1000, live="keep",
              help="Full passes over the data (one weight update each in batch mode)."),
        Field("seed", "int", "Random seed", 0, 2**32 - 1, step=1,
              help="Seeds the random initial weights. Same seed, same run."),
        Field("init", "choice", "Initialisation", choices=tuple(INITS), widget="select",
              help="How the initial weights are drawn.",
              names={"normal": "standard normal (tutorial)", "xavier": "Xavier", "he": "He"}),
        Field("update", "choice", "Update", choices=UPDATES, widget="select", live="keep",
              help="Batch: one update per epoch from the summed gradient. "
                   "Online: one per sample.",
              names={"batch": "batch (tutorial)", "online": "online, per sample"}),
        Field("samples", "int", "Samples (continuous data)", 8, 1000, step=50,
              when=CONTINUOUS, help="Number of points in the continuous datasets."),
        Field("noise", "float", "Noise (continuous data)", 0, 1, step=0.05, fmt="%.2f",
              when=CONTINUOUS, help="Spread of the points in the continuous datasets."),
        Field("optimizer", "choice", "Optimizer", choices=tuple(OPTIMIZERS), widget="select",
              help="Gradient descent as in the tutorial; momentum (v ← μv + ∂L/∂W, "
                   "W ← W − αv); or Adam (Kingma & Ba 2015).",
              names={"gd": "gradient descent (tutorial)", "momentum": "momentum",
                     "adam": "Adam"}),
        Field("momentum", "float", "Momentum μ", 0, 0.999, step=0.05, fmt="%.3g",
              help="μ in v ← μv + ∂L/∂W: how much of the last step carries over "
                   "(optimizer momentum only)."),
    )
}


@dataclass(frozen=True)
class TrainConfig:
    """All settings of one training run. Defaults are the tutorial's.

    Hashable, so it can key a cache; invalid values raise ``ValueError`` naming
    the setting, the value and the allowed range.
    """

    dataset: str = "xor"
    hidden: int = 2
    activation: str = "sigmoid"
    loss: str = "mse"
    lr: float = 0.1
    epochs: int = 10_000
    seed: int = 0
    init: str = "normal"
    update: str = "batch"
    samples: int = 200
    noise: float = 0.15
    optimizer: str = "gd"
    momentum: float = 0.9

    def __post_init__(self):
        for name, field in FIELDS.items():
            value = getattr(self, name)
            if isinstance(value, bool):
                raise ValueError(field.message(value))
            parsed = field.parse(value)
            if field.kind == "int" and not isinstance(value, numbers.Integral):
                raise ValueError(field.message(value))
            object.__setattr__(self, name, parsed)

    def replace(self, **changes) -> TrainConfig:
        """A copy with some settings changed (validated)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


DEFAULTS = TrainConfig()


def format_value(value) -> str:
    """The text form of a setting, as it appears in a URL: ``0.1``, ``2``, ``xor``."""
    return repr(value) if isinstance(value, float) else str(value)


def to_query(config: TrainConfig) -> dict[str, str]:
    """Every setting as URL query parameters (all of them, so a link is exact)."""
    return {name: format_value(getattr(config, name)) for name in FIELDS}


def from_query(query, base: TrainConfig = DEFAULTS) -> tuple[TrainConfig, list[str]]:
    """Read settings from query parameters, falling back per field to ``base``.

    ``query`` maps a name to a string or a list of strings (repeated keys: the
    last one wins). Unknown keys are ignored. Returns the config and one
    warning per value that was rejected, naming it and the allowed range.
    """
    values, warnings = {}, []
    for name, field in FIELDS.items():
        if name not in query:
            continue
        raw = query[name]
        if isinstance(raw, (list, tuple)):
            if not raw:
                continue
            raw = raw[-1]
        try:
            values[name] = field.parse(raw)
        except ValueError as err:
            default = format_value(getattr(base, name))
            warnings.append(f"{err}; using {default}")
    return base.replace(**values), warnings


def from_dict(data: dict, base: TrainConfig = DEFAULTS) -> TrainConfig:
    """Strictly read a config from a dict (a run file); raise on any bad or unknown key."""
    if not isinstance(data, dict):
        raise ValueError("config must be an object of settings")
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValueError(f"unknown setting(s): {', '.join(map(repr, unknown))[:80]}")
    values = {}
    for name, value in data.items():
        field = FIELDS[name]
        wanted = str if field.kind == "choice" else (int, float)
        if not isinstance(value, wanted) or isinstance(value, bool):
            raise ValueError(field.message(value))
        values[name] = field.parse(value)
    return base.replace(**values)
