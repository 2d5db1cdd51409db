"""Every setting of a run, declared once in ``FIELDS``, and its text form.

The field name is the one word used everywhere: the ``TrainConfig`` field, the
CLI flag (``--lr``), the URL query parameter (``?lr=0.1``) and the run-file key.
``TrainConfig`` itself is generated from ``FIELDS``, and so are the sidebar, the URL,
the CLI flags, the run-file keys, the fuzz tests' field list and the README's
settings table. Adding a setting means one ``Field`` entry below plus its maths.

Versions: links (``?v=2``) and run files (``"version": 2``) say which version
of these settings wrote them. A setting they leave out takes the default *of that
version* (``Field.default_at``), so an old link or file reopens the run its writer
saw, even after a default changes. ``VERSIONS`` records what each version changed.
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple

from .datasets import CONTINUOUS, CUSTOM, DATASETS
from .field import Field
from .nn import ACTIVATIONS, INITS, LOSSES, OPTIMIZERS
from .userdata import MAX_LINK_CHARS

UPDATES = ("batch", "online")

# Every setting, in the order the sidebar shows them. Adding a setting means one
# entry here and its maths. Its default must keep earlier runs as they were (a
# file or link without it then needs nothing); if it cannot, or an existing
# default changes, add ``earlier=((last_version, old_default),)`` and a VERSIONS entry.
FIELDS = {
    f.name: f
    for f in (
        Field("dataset", "choice", "Dataset", choices=tuple(DATASETS), default="xor",
              widget="select",
              help="The four-row truth tables, two noisy point clouds, or your own points.",
              names={"xor": "XOR (the tutorial)", "and": "AND", "or": "OR", "nand": "NAND",
                     "xnor": "XNOR", "xor-cloud": "noisy XOR cloud", "circles": "circles",
                     "custom": "your own data"}),
        Field("hidden", "widths", "Hidden layers (units per layer)", 1, 16, most=4,
              default=(2,), widget="text",
              help="Units in each hidden layer, separated by commas: 2 is the tutorial's "
                   "one layer of two units, 3,2 has two layers. 1–4 layers of 1–16 units."),
        Field("activation", "choice", "Hidden activation", choices=tuple(ACTIVATIONS),
              default="sigmoid", widget="select",
              help="The hidden layer's activation. The output unit is always a sigmoid.",
              names={"sigmoid": "sigmoid (tutorial)", "tanh": "tanh", "relu": "ReLU"}),
        Field("loss", "choice", "Loss", choices=tuple(LOSSES), default="mse", widget="select",
              live="keep",
              help="½(a − y)² as in the tutorial, or binary cross-entropy (δ² = a − y).",
              names={"mse": "½ squared error (tutorial)", "bce": "cross-entropy"}),
        Field("lr", "float", "Learning rate", 1e-6, 1000, default=0.1, step=0.05,
              fmt="%.4g", live="keep",
              help="α in W ← W − α·∂L/∂W. The tutorial uses 0.1."),
        Field("epochs", "int", "Epochs", 0, 100_000, default=10_000, step=1000, live="keep",
              help="Full passes over the data (one weight update each in batch mode)."),
        Field("seed", "int", "Random seed", 0, 2**32 - 1, default=0, step=1,
              help="Seeds the initial weights, drawn by RandomState(seed).randn in the "
                   "tutorial's order W1, b1, W2, b2. Same seed, same run."),
        Field("init", "choice", "Initialisation", choices=tuple(INITS), default="normal",
              widget="select", help="How the initial weights are drawn.",
              names={"normal": "standard normal (tutorial)", "xavier": "Xavier", "he": "He"}),
        Field("update", "choice", "Update", choices=UPDATES, default="batch", widget="select",
              live="keep",
              help="Batch: one update per epoch from the summed gradient (the tutorial). "
                   "Online: one per sample, in an order shuffled by default_rng(seed).",
              names={"batch": "batch (tutorial)", "online": "online, per sample"}),
        Field("samples", "int", "Samples (continuous data)", 8, 1000, default=200, step=50,
              when=(("dataset", CONTINUOUS),),
              help="Number of points in the continuous datasets."),
        Field("noise", "float", "Noise (continuous data)", 0, 1, default=0.15, step=0.05,
              fmt="%.2f", when=(("dataset", CONTINUOUS),),
              help="Spread of the points in the continuous datasets."),
        Field("optimizer", "choice", "Optimizer", choices=tuple(OPTIMIZERS), default="gd",
              widget="select", live="keep",
              help="Gradient descent as in the tutorial; momentum (v ← μv + ∂L/∂W, "
                   "W ← W − αv); or Adam (Kingma & Ba 2015).",
              names={"gd": "gradient descent (tutorial)", "momentum": "momentum",
                     "adam": "Adam"}),
        Field("momentum", "float", "Momentum μ", 0, 0.999, default=0.9, step=0.05, fmt="%.3g",
              live="keep", when=(("optimizer", ("momentum",)),),
              help="μ in v ← μv + ∂L/∂W: how much of the last step carries over "
                   "(optimizer momentum only)."),
        Field("data", "points", "Your data", default="", widget="table",
              when=(("dataset", (CUSTOM,)),),
              help="Your own points (x1, x2 and a label y of 0 or 1), written "
                   "x1,x2,y;x1,x2,y;... in a link. Empty: the XOR table."),
    )
}

# What each version changed; never edit a past entry. A new version is needed when a
# file or link would otherwise mean something else: a default or a value's meaning
# changes, or the run file's layout changes (give it a run-file migration). Adding a
# setting whose default keeps the old runs needs no new version.
VERSIONS = {
    1: "The first design (dataset, hidden, activation, loss, lr, epochs, seed, init), "
       "then update, samples and noise, whose defaults keep the earlier runs. "
       "Links carry no version; run files keep the MSE curve under \"loss\".",
    2: "Run files keep the MSE curve under \"mse\" (\"loss\" names the objective "
       "setting). Links carry v=2.",
    3: "hidden takes one width per hidden layer (3,2 in a link or flag, [3, 2] in a run "
       "file, which holds W1, b1, ..., W{L+1}, b{L+1}). Links carry v=3.",
}
VERSION = max(VERSIONS)
VERSION_KEY = "v"  # the link's version parameter; never a setting's name
assert VERSION_KEY not in FIELDS


class _Methods:
    """The methods of ``TrainConfig``; its fields are generated from ``FIELDS``."""

    def __post_init__(self):
        for name, field in FIELDS.items():
            object.__setattr__(self, name, field.check(getattr(self, name)))

    def replace(self, **changes) -> TrainConfig:
        """A copy with some settings changed (validated)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        """Every setting by name, in ``FIELDS`` order, as JSON holds it (a run file's
        ``config``: widths as a list, ``"hidden": [3, 2]``)."""
        return {name: list(value) if isinstance(value, tuple) else value
                for name, value in dataclasses.asdict(self).items()}


TrainConfig = dataclasses.make_dataclass(
    "TrainConfig", [(f.name, f.type, f.default) for f in FIELDS.values()],
    bases=(_Methods,), frozen=True)
TrainConfig.__module__ = __name__  # so pickle (and st.cache_data) find it here
TrainConfig.__doc__ = """All settings of one training run: one field per ``FIELDS`` entry.

Defaults are the tutorial's. Frozen and hashable, so it can key a cache; invalid
values raise ``ValueError`` naming the setting, the value and the allowed range.
"""

DEFAULTS = TrainConfig()


def defaults_at(version: int) -> TrainConfig:
    """What a file or link of ``version`` meant by every setting it leaves out."""
    return TrainConfig(**{name: f.default_at(version) for name, f in FIELDS.items()})


def format_value(value) -> str:
    """The text form of a setting, as it appears in a URL: ``0.1``, ``2``, ``xor``, ``3,2``."""
    if isinstance(value, tuple):
        return ",".join(str(int(v)) for v in value)
    return repr(value) if isinstance(value, float) else str(value)


class SettingsRead(NamedTuple):
    """Settings read from a link or a run file, with what was not in it.

    config : the settings.
    filled : the settings the source left out, set to what its version meant.
    version : the version that wrote the source (1 for a link without ``v``).
    warnings : values that were refused, each with the value used instead (links).
    """

    config: TrainConfig
    filled: tuple[str, ...] = ()
    version: int = VERSION
    warnings: tuple[str, ...] = ()


def to_query(config: TrainConfig) -> dict[str, str]:
    """Every setting as URL query parameters, and the version, so a link is exact.

    Points longer than ``userdata.MAX_LINK_CHARS`` stay out (``link_fits`` says so):
    browsers and servers cut long addresses. A run file always holds them.
    """
    query = {VERSION_KEY: str(VERSION)}
    query.update({name: f.text(getattr(config, name)) for name, f in FIELDS.items()
                  if f.kind != "points" or len(getattr(config, name)) <= MAX_LINK_CHARS})
    return query


def link_fits(config: TrainConfig) -> bool:
    """Whether ``to_query`` holds every setting of ``config`` (its points may not fit)."""
    return set(FIELDS) <= set(to_query(config))


def read_query(query) -> SettingsRead:
    """Read settings from query parameters; never raises.

    ``query`` maps a name to a string or a list of strings (repeated keys: the last
    one wins). Unknown keys are ignored. A setting the link leaves out takes the
    default of the link's version (``v``; a link without it is version 1) and is
    listed in ``filled``. A bad value falls back to that default too, with a
    warning naming it and the allowed range.
    """
    version, warnings = _link_version(_last(query, VERSION_KEY))
    base = defaults_at(version)
    values, filled = {}, []
    for name, field in FIELDS.items():
        raw = _last(query, name)
        if raw is None:
            filled.append(name)
            continue
        try:
            values[name] = field.parse(raw)
        except ValueError as err:
            warnings.append(f"{err}; using {field.text(getattr(base, name)) or 'none'}")
    return SettingsRead(base.replace(**values), tuple(filled), version, tuple(warnings))


def from_query(query) -> tuple[TrainConfig, list[str]]:
    """``read_query`` as (config, warnings); see ``read_query`` for what was filled in."""
    read = read_query(query)
    return read.config, list(read.warnings)


def _last(query, key):
    """The last value of ``key`` in ``query`` (repeated keys), or None if it has none."""
    raw = query[key] if key in query else None
    if isinstance(raw, (list, tuple)):
        raw = raw[-1] if raw else None
    return raw


def _link_version(raw) -> tuple[int, list[str]]:
    """The link's version and any warning about it; links before ``v`` are version 1."""
    if raw is None:
        return 1, []
    try:
        version = int(str(raw).strip())
    except ValueError:
        version = 0
    if version > VERSION:
        return VERSION, [f"this link is version {version}, newer than this app reads "
                         f"(versions 1–{VERSION}): a setting it does not know is ignored, "
                         f"and one left out takes this version's default"]
    if version < 1:
        shown = str(raw) if len(str(raw)) <= 40 else str(raw)[:37] + "..."
        return VERSION, [f"{VERSION_KEY} (the link's version) must be a whole number from 1 "
                         f"to {VERSION}, got {shown!r}; reading it as version {VERSION}"]
    return version, []


def from_dict(data: dict, version: int = VERSION) -> SettingsRead:
    """Strictly read a run file's settings, written by ``version``; raise on any bad key.

    A setting the file leaves out takes ``version``'s default and is listed in ``filled``.
    """
    if not isinstance(data, dict):
        raise ValueError("config must be an object of settings")
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValueError(f"unknown setting(s): {', '.join(map(repr, unknown))[:80]} (not "
                         f"settings of this Backprop Lab; a newer one may have written it)")
    values = {name: FIELDS[name].from_json(value) for name, value in data.items()}
    filled = tuple(name for name in FIELDS if name not in data)
    return SettingsRead(defaults_at(version).replace(**values), filled, version)


def filled_message(source: str, read) -> str:
    """One sentence on the settings ``source`` left out, or "" if it had them all.

    read : a ``SettingsRead`` or ``runfile.RunFile`` (anything with ``filled``,
        ``version`` and ``config``). For example: ``old.json does not set update,
        samples, noise; using what version 1 ran with: update batch, samples 200,
        noise 0.15.``
    """
    # No points ("") is what every file before them meant: not worth a word.
    said = [name for name in read.filled
            if FIELDS[name].kind != "points" or getattr(read.config, name)]
    if not said:
        return ""
    values = ", ".join(f"{name} {FIELDS[name].text(getattr(read.config, name))}"
                       for name in said)
    return (f"{source} does not set {', '.join(said)}; "
            f"using what version {read.version} ran with: {values}.")


def settings_table() -> str:
    """The README's settings table, in markdown, rendered from ``FIELDS``.

    tests/test_config.py checks that README.md holds exactly this, so it cannot drift.
    """
    rows = ["| setting | default | allowed | what it sets |", "|---|---|---|---|"]
    for field in FIELDS.values():
        default = field.text(field.default)
        cells = [f"`{field.name}`", f"`{default}`" if default else "empty", _allowed_cell(field),
                 field.help]
        rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(rows)


def _allowed_cell(field: Field) -> str:
    if field.kind == "choice":
        text = ", ".join(_choice_cell(c, field.show(c)) for c in field.choices)
    elif field.kind == "points":
        text = field.allowed()
    elif field.kind == "widths":
        text = (f"1 – {field.most} layers of {int(field.lo)} – {int(field.hi)} units, "
                "comma-separated")
    elif field.kind == "int":
        text = f"{int(field.lo):,} – {int(field.hi):,}"
    else:
        text = f"{'above ' if field.lo_open else ''}{field.lo:g} – {field.hi:g}"
    if field.when:
        text += f"; {field.only_for()}"
    return text


def _choice_cell(choice: str, name: str) -> str:
    """``sigmoid`` (tutorial), ``mse`` = ½ squared error (tutorial), ``tanh``."""
    if name.lower() == choice:
        return f"`{choice}`"
    if name.lower().startswith(choice + " ("):
        return f"`{choice}`{name[len(choice):]}"
    return f"`{choice}` = {name}"
