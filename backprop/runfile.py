"""Run files: a run's settings, final weights and MSE curve as JSON (never pickle).

Format, version 3 (the one written)::

    {"format": "backprop-run", "version": 3,
     "config": {every TrainConfig setting, by its field name; "hidden": [3, 2]},
     "params": {"W1": [[...]], "b1": [[...]], ..., "W{L+1}": [[...]], "b{L+1}": [[...]]},
     "mse": [mean squared error before each update, ...]}

with W_l of shape (n_l, n_{l-1}) and b_l (n_l, 1) for the L hidden layers and the
output (n_0 = 2 inputs, n_{L+1} = 1). Version 2 had one hidden layer, ``"hidden": 2``
(so W1, b1, W2, b2); version 1 is version 2 with the curve under "loss".

Every version ever written is
read: its top-level keys are checked against that version's (``KEYS``), it is moved
up one version at a time (``MIGRATIONS``), and each setting it leaves out takes the
default of its version (``config.defaults_at``) and is listed in ``RunFile.filled``.
A file from a newer version is refused with a message naming both versions.
Floats are written with ``repr``, so settings, weights and the curve read back exactly.

``loads`` trusts nothing. It checks, in order: the size (at most ``MAX_BYTES`` =
4,000,000 bytes, before parsing), that the text is UTF-8 and not empty, the JSON,
that the top level is an object with the right ``format`` and ``version`` and no
other keys, every setting, that ``params`` holds exactly W1, b1, ..., W{L+1}, b{L+1}
as 2-D lists of finite numbers whose shapes fit ``hidden``, and that the curve is a list of at
most ``epochs`` finite numbers >= 0. Any problem raises ``RunFileError`` saying what
is wrong; no input raises anything else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from .config import VERSION, SettingsRead, TrainConfig, from_dict
from .nn import param_names, widths_of

FORMAT = "backprop-run"
# The top-level keys of files, by the version that introduced them (a version that
# changes only settings keeps the layout before it); the last key holds the MSE curve.
KEYS = {
    1: ("format", "version", "config", "params", "loss"),
    2: ("format", "version", "config", "params", "mse"),
}  # version 3 keeps version 2's layout
# A run at the limits (100,000 epochs, 16 hidden units) is about 2.3 MB: the curve
# dominates, at up to 23 bytes per epoch. The app's uploader allows 5 MB.
MAX_BYTES = 4_000_000


class RunFileError(ValueError):
    """A run file that cannot be read or written; the message says what is wrong."""


@dataclass(frozen=True, eq=False)
class RunFile:
    """A checked run file.

    config : TrainConfig
    params : dict of float ndarrays: W1 (H, 2), b1 (H, 1), W2 (1, H), b2 (1, 1) for
        ``hidden = (H,)``; W_l (n_l, n_{l-1}) and b_l (n_l, 1) for each layer at any depth.
    mse : float ndarray of shape (E,), E <= config.epochs: the MSE before each update.
    filled : the settings the file left out, set to what its version meant
        (``config.filled_message`` says so in a sentence).
    version : the version that wrote the file.
    """

    config: TrainConfig
    params: dict
    mse: np.ndarray
    filled: tuple[str, ...] = ()
    version: int = VERSION


def _curve_is_mse(doc: dict) -> dict:
    """Version 1 -> 2: the curve moves from "loss" (the objective setting's name) to "mse"."""
    return {("mse" if key == "loss" else key): value for key, value in doc.items()}


def _hidden_is_a_list(doc: dict) -> dict:
    """Version 2 -> 3: ``hidden`` (one layer's width) becomes the list of widths, [H]."""
    config = doc["config"]
    if isinstance(config, dict) and type(config.get("hidden")) is int:
        doc = {**doc, "config": {**config, "hidden": [config["hidden"]]}}
    return doc


# MIGRATIONS[n] turns a checked version n-1 document into a version n one: every
# version that changes the layout gets one. (A version that changes what a missing
# setting means migrates through that setting's ``Field.earlier`` instead.)
MIGRATIONS = {2: _curve_is_mse, 3: _hidden_is_a_list}


def param_shapes(hidden) -> dict[str, tuple[int, int]]:
    """The shape of each parameter, by name: W1 (H, 2), b1 (H, 1), W2 (1, H), b2 (1, 1) for one
    hidden layer of H units; W_l (n_l, n_{l-1}), b_l (n_l, 1) for widths ``(h1, ..., hL)``."""
    sizes = (2, *widths_of(hidden), 1)
    shapes = {}
    for layer in range(1, len(sizes)):
        shapes[f"W{layer}"] = (sizes[layer], sizes[layer - 1])
        shapes[f"b{layer}"] = (sizes[layer], 1)
    return shapes


def dumps(config: TrainConfig, params: dict, mse) -> str:
    """The run file for these settings, parameters (W1 (H, 2) ...) and MSE curve (E,).

    Raises ``RunFileError`` for anything ``loads`` would refuse (wrong shapes,
    non-finite numbers), so a written file can always be read back.
    """
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "config": config.to_dict(),
        "params": {name: np.asarray(value, dtype=float).tolist()
                   for name, value in params.items()},
        "mse": np.asarray(mse, dtype=float).tolist(),
    }
    _check(doc)
    # One key per line, so the settings are readable at the top of the file.
    lines = [f"  {json.dumps(key)}: {json.dumps(value, allow_nan=False)}"
             for key, value in doc.items() if key != "mse"]
    lines.append(f'  "mse": {json.dumps(doc["mse"], allow_nan=False, separators=(",", ":"))}')
    return "{\n" + ",\n".join(lines) + "\n}\n"


def run_to_json(run) -> str:
    """``dumps`` for a ``training.Run``: its config, final params and MSE curve."""
    return dumps(run.config, run.params, run.mse)


def loads(data: str | bytes) -> RunFile:
    """Read and check a run file given as text or bytes; raise ``RunFileError`` if it is bad."""
    text = _decode(data)
    try:
        doc = json.loads(text, parse_constant=_no_constants, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as err:
        raise RunFileError(f"not valid JSON: {err.msg} at line {err.lineno}, "
                           f"column {err.colno}") from None
    except RunFileError:
        raise
    except ValueError:  # an integer literal beyond Python's digit limit
        raise RunFileError("not valid JSON: a number has too many digits") from None
    except RecursionError:
        raise RunFileError("not valid JSON: nested too deeply") from None
    try:
        return _check(doc)
    except RecursionError:  # a setting's message printing a deeply nested value
        raise RunFileError("not a run file: a value is nested too deeply") from None


def _decode(data) -> str:
    if isinstance(data, str):
        if len(data) > MAX_BYTES:
            _too_large(len(data))
        try:
            data = data.encode("utf-8")
        except UnicodeEncodeError:
            raise RunFileError("not UTF-8 text: it holds an unpaired surrogate") from None
    elif not isinstance(data, (bytes, bytearray, memoryview)):
        raise RunFileError(f"a run file is text or bytes, not {type(data).__name__}")
    raw = memoryview(data)
    if raw.nbytes > MAX_BYTES:
        _too_large(raw.nbytes)
    try:
        text = bytes(raw).decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise RunFileError(f"not UTF-8 text: invalid byte at position {err.start}") from None
    if not text.strip(" \t\r\n"):
        raise RunFileError("the file is empty")
    return text


def _too_large(size: int):
    raise RunFileError(f"too large: {size:,} bytes (a run file is at most {MAX_BYTES:,} bytes)")


def _no_constants(name: str):
    raise RunFileError(f"{name} is not allowed: every number must be finite")


def _unique_keys(pairs: list) -> dict:
    doc = {}
    for key, value in pairs:
        if key in doc:
            raise RunFileError(f"duplicate key {_show(key)}: each key may appear once")
        doc[key] = value
    return doc


def _kind(value) -> str:
    """A JSON value's kind, for messages: 'an object', 'a list', 'a string', ..."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, str):
        return f"the string {_show(value)}"
    return _show(value)


def _show(value) -> str:
    """A short repr; lists and objects are only described, never printed whole."""
    if isinstance(value, (dict, list)):
        return _kind(value)
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _check(doc) -> RunFile:
    if not isinstance(doc, dict):
        raise RunFileError(f"not a run file: the top level must be a JSON object, "
                           f"got {_kind(doc)}")
    if "format" not in doc:
        raise RunFileError(f'not a run file: no "format": "{FORMAT}" key')
    if doc["format"] != FORMAT:
        raise RunFileError(f'not a run file: "format" must be "{FORMAT}", '
                           f"got {_kind(doc['format'])}")
    if "version" not in doc:
        raise RunFileError('missing key: "version"')
    version = _version(doc["version"])
    keys = KEYS[max(v for v in KEYS if v <= version)]
    unknown = [key for key in doc if key not in keys]
    if unknown:
        raise RunFileError(f"unknown key(s): {_names(unknown)}; a version-{version} run file "
                           f"has only {', '.join(keys)}")
    missing = [key for key in keys if key not in doc]
    if missing:
        raise RunFileError(f"missing key(s): {', '.join(missing)}")
    for step in range(version + 1, VERSION + 1):
        doc = MIGRATIONS.get(step, dict)(doc)
    config, filled = _config(doc["config"], version)[:2]
    return RunFile(config, _params(doc["params"], config.hidden),
                   _curve(doc["mse"], config.epochs, name=keys[-1]), filled, version)


def _version(version) -> int:
    """The file's version, if this program reads it."""
    if type(version) is int and version > VERSION:
        raise RunFileError(f"written by version {version}; this program reads versions "
                           f"1–{VERSION} (a newer Backprop Lab wrote it: update to open it)")
    if type(version) is not int or version < 1:
        raise RunFileError(f"unsupported version {_show(version)}: this program reads "
                           f"versions 1–{VERSION} (a whole number)")
    return version


def _names(keys) -> str:
    text = ", ".join(map(repr, keys))
    return text if len(text) <= 80 else text[:77] + "..."


def _config(data, version: int) -> SettingsRead:
    if not isinstance(data, dict):
        raise RunFileError(f"config must be an object of settings, got {_kind(data)}")
    try:
        return from_dict(data, version)
    except ValueError as err:
        raise RunFileError(f"config: {err}") from None


def _params(data, hidden) -> dict:
    names = param_names(len(widths_of(hidden)) + 1)
    if not isinstance(data, dict):
        raise RunFileError(f"params must be an object with {', '.join(names)}, "
                           f"got {_kind(data)}")
    missing = [name for name in names if name not in data]
    if missing:
        raise RunFileError(f"params: missing {', '.join(missing)}")
    extra = [name for name in data if name not in names]
    if extra:
        raise RunFileError(f"params: unknown key(s) {_names(extra)}; "
                           f"expected only {', '.join(names)}")
    shapes = param_shapes(hidden)
    return {name: _matrix(name, data[name], shapes[name], hidden) for name in names}


def _is_number(value) -> bool:
    return type(value) is float or type(value) is int  # JSON true/false are not numbers


def _matrix(name: str, rows, shape: tuple[int, int], hidden: int) -> np.ndarray:
    if not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows):
        raise RunFileError(f"params: {name} must be a 2-D list of numbers (a list of rows), "
                           f"got {_kind(rows)}")
    for row in rows:
        for value in row:
            if not _is_number(value):
                raise RunFileError(f"params: {name} must hold only numbers, "
                                   f"got {_kind(value)}")
    if any(len(row) != len(rows[0]) for row in rows):
        raise RunFileError(f"params: the rows of {name} have different lengths")
    got = (len(rows), len(rows[0]))
    if got != shape:
        shown = ",".join(map(str, widths_of(hidden)))
        raise RunFileError(f"params: {name} has shape {got}, but hidden = {shown} "
                           f"needs {shape}")
    return _finite(f"params: {name}", rows)


def _finite(what: str, values) -> np.ndarray:
    try:
        array = np.array(values, dtype=float)
    except OverflowError:
        array = np.array([np.inf])
    if not np.isfinite(array).all():
        raise RunFileError(f"{what} holds a number too large to be finite")
    return array


def _curve(data, epochs: int, name: str) -> np.ndarray:
    """The MSE curve, stored under ``name`` ("mse"; "loss" in version 1)."""
    if not isinstance(data, list):
        raise RunFileError(f"{name} must be a list of numbers, got {_kind(data)}")
    if len(data) > epochs:
        raise RunFileError(f"{name} has {len(data):,} entries, more than epochs = {epochs:,}")
    bad = next((i for i, v in enumerate(data) if not _is_number(v)), None)
    if bad is not None:
        raise RunFileError(f"{name}[{bad}] must be a number, got {_kind(data[bad])}")
    mse = _finite(name, data)
    if mse.size and mse.min() < 0:
        bad = int(np.argmin(mse))
        raise RunFileError(f"{name}[{bad}] is {float(mse[bad])!r}: "
                           f"a mean squared error is >= 0")
    return mse
