"""The compiled fast path: which engine trains, and the glue around ``kernels``.

``train`` and ``train_many`` ask ``engine()`` which implementation to use:

- ``"compiled"`` (the default): numba kernels, one call per run (or per block of
  seeds) with the GIL released, so one student's training does not stall the
  other sessions of a shared app;
- ``"numpy"``: the readable NumPy reference in ``nn`` and ``training``.

Choose with the ``engine=`` argument or the ``BACKPROP_ENGINE`` environment
variable. If numba cannot be imported or a kernel fails to compile, NumPy is
used and a warning is logged once on the ``backprop`` logger; nothing crashes.

The kernels work on a flat parameter vector (see ``kernels``); this module
flattens the ``W1, b1, W2, b2`` dicts into it and back.
"""

from __future__ import annotations

import logging
import math
import os
import threading
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from itertools import islice
from pathlib import Path

import numpy as np

from . import nn
from .loops import CHUNK  # epochs per call when reporting progress or drawing orders

log = logging.getLogger("backprop")

ENGINES = ("compiled", "numpy")
ENV = "BACKPROP_ENGINE"
# Adam's constants (Kingma & Ba 2015): beta1, beta2, and eps added to sqrt(v-hat).
ADAM = (nn.ADAM_BETA1, nn.ADAM_BETA2, nn.ADAM_EPS)
# The registry order the kernels' integer ids were written for.
KERNEL_NAMES = {"activation": ("sigmoid", "tanh", "relu"), "loss": ("mse", "bce"),
                "optimizer": ("gd", "momentum", "adam")}

_lock = threading.Lock()
_loaded: dict = {}  # "kernels": the module or None, once tried
_warming = threading.Event()  # set while warm_up's thread compiles
_warned: set = set()


def _warn_once(key: str, message: str, *args) -> None:
    if key not in _warned:
        _warned.add(key)
        log.warning(message, *args)


def _registries() -> dict:
    return {"activation": tuple(nn.ACTIVATIONS), "loss": tuple(nn.LOSSES),
            "optimizer": tuple(nn.OPTIMIZERS)}


def _load():
    """Import and compile the kernels; raises if numba is missing or a compile fails."""
    from . import kernels  # imports numba

    for kind, names in _registries().items():
        known = KERNEL_NAMES[kind]
        if names[:len(known)] != known[:len(names)]:
            raise RuntimeError(f"the kernels' {kind} ids {known} no longer match nn's "
                               f"registry {names}")
    _smoke(kernels)
    return kernels


def supports(config) -> bool:
    """Whether the kernels know every choice of ``config`` (a registry may grow first)."""
    return (config.activation in KERNEL_NAMES["activation"]
            and config.loss in KERNEL_NAMES["loss"]
            and config.optimizer in KERNEL_NAMES["optimizer"])


def kernels(wait: bool = True):
    """The compiled kernels module, or None if numba is unavailable (logged once).

    The first call imports numba and compiles (or loads from the on-disk cache).
    With ``wait=False`` it returns None at once while ``warm_up``'s thread is
    still compiling, instead of waiting for it.
    """
    if "kernels" not in _loaded:
        if not wait and _warming.is_set():
            return None
        with _lock:
            if "kernels" not in _loaded:
                try:
                    _loaded["kernels"] = _load()
                except Exception as err:  # ImportError, a numba compile error, anything
                    _loaded["kernels"] = None
                    _warn_once("load", "compiled training unavailable (%s: %s); "
                               "training with the NumPy reference instead",
                               type(err).__name__, err)
    return _loaded["kernels"]


def warm_up() -> threading.Thread | None:
    """Compile the kernels in a background thread (an app calls this at start).

    Until it finishes, ``engine()`` without an explicit choice answers ``numpy``
    rather than making the first visitor wait for the compiler.
    """
    if "kernels" in _loaded or _warming.is_set():
        return None
    _warming.set()

    def work():
        try:
            kernels()
        finally:
            _warming.clear()

    thread = threading.Thread(target=work, name="backprop-warm-up", daemon=True)
    thread.start()
    return thread


def engine(requested: str | None = None, config=None) -> str:
    """The engine that will train: ``requested``, else ``$BACKPROP_ENGINE``, else compiled.

    ``compiled`` falls back to ``numpy`` when the kernels cannot load, when they
    have no kernel for one of ``config``'s choices (logged once), and, unless asked
    for explicitly, while ``warm_up`` is still compiling. An unknown name is logged
    once and treated as the default.
    """
    explicit = requested or os.environ.get(ENV)
    name = explicit or "compiled"
    if name not in ENGINES:
        _warn_once(f"name:{name}", "unknown engine %r (allowed: %s); using compiled",
                   name, ", ".join(ENGINES))
        name = "compiled"
    if name == "compiled" and config is not None and not supports(config):
        _warn_once(f"config:{config.activation},{config.loss},{config.optimizer}",
                   "no compiled kernel for %s/%s/%s; training with the NumPy reference",
                   config.activation, config.loss, config.optimizer)
        return "numpy"
    if name == "compiled" and kernels(wait=bool(explicit)) is None:
        return "numpy"
    return name


# --- flat parameters ------------------------------------------------------------------------


def sizes_of(hidden, inputs: int = 2) -> np.ndarray:
    """Units per layer, input first: ``[2, H, 1]`` (or ``[2, h1, ..., hL, 1]``)."""
    return np.array([inputs, *nn.widths_of(hidden), 1], dtype=np.int64)


def flatten(params: dict, sizes) -> np.ndarray:
    """W1, b1, W2, b2, ... (each with optional leading axes ``...``) into theta (..., P)."""
    parts = []
    for layer in range(1, len(sizes)):
        W, b = np.asarray(params[f"W{layer}"], float), np.asarray(params[f"b{layer}"], float)
        parts += [W.reshape(*W.shape[:-2], -1), b.reshape(*b.shape[:-2], -1)]
    return np.ascontiguousarray(np.concatenate(parts, axis=-1))


def unflatten(theta, sizes) -> dict:
    """theta (..., P) back to W_l (..., n_l, n_{l-1}) and b_l (..., n_l, 1), as copies."""
    theta, lead, params, at = np.asarray(theta), np.shape(theta)[:-1], {}, 0
    for layer in range(1, len(sizes)):
        rows, cols = int(sizes[layer]), int(sizes[layer - 1])
        params[f"W{layer}"] = theta[..., at:at + rows * cols].reshape(*lead, rows, cols).copy()
        at += rows * cols
        params[f"b{layer}"] = theta[..., at:at + rows].reshape(*lead, rows, 1).copy()
        at += rows
    return params


def codes(config) -> np.ndarray:
    """[activation, loss, optimizer, online] as the kernels' integer ids."""
    reg = _registries()
    return np.array([reg["activation"].index(config.activation), reg["loss"].index(config.loss),
                     reg["optimizer"].index(config.optimizer),
                     int(config.update == "online")], dtype=np.int64)


def hyper(config, lr=None) -> np.ndarray:
    """[lr, mu, beta1, beta2, eps] for the kernels."""
    return np.array([config.lr if lr is None else lr, config.momentum, *ADAM])


def orders(rng, epochs: int, n: int) -> np.ndarray:
    """(epochs, n): ``rng.permutation(n)`` for each epoch, drawn in order from ``rng``."""
    out = np.empty((epochs, n), dtype=np.int64)
    for e in range(epochs):
        out[e] = rng.permutation(n)
    return out


def _smoke(k) -> None:
    """Compile every kernel on a tiny problem (the compile cache makes this quick later)."""
    sizes, X, y = sizes_of(2), np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([0.0, 1.0])
    theta = np.linspace(-1.0, 1.0, 9)
    state, steps = np.zeros((2, 9)), np.zeros(1, np.int64)
    c = np.array([0, 0, 0, 1], np.int64)
    h = np.array([0.1, 0.9, *ADAM])
    k.train_one(theta, state, steps, sizes, X, y, c, h, 0, 1, np.array([[1, 0]]), True,
                np.array([0, 1]), np.zeros(1, np.int64), np.empty((2, 9)), np.empty(1), 1)
    k.train_block(theta[None].copy(), state[None].copy(), steps[None].copy(), sizes, X, y,
                  c, h, np.array([0.1]), 0, 1, np.array([[[1, 0]]]), np.empty((1, 1)), 1)


# --- one run, many runs -----------------------------------------------------------------------

BLOCK_WORK = 20_000_000  # epochs x samples x parameters per call over many seeds (~50 ms)
ORDER_CELLS = 2_000_000  # bound on the online orders drawn ahead (16 MB)
MOST_THREADS = 4  # a census or sweep leaves the rest of a bigger server to other sessions
CGROUP_CPU = Path("/sys/fs/cgroup/cpu.max")  # a container's CPU quota (cgroup v2)
CGROUP_V1 = Path("/sys/fs/cgroup/cpu")  # cpu.cfs_quota_us and cpu.cfs_period_us (v1)


def _quota() -> float | None:
    """The container's CPU quota in cores, or None when there is none (or it can't be read)."""
    try:
        quota, period = CGROUP_CPU.read_text().split()[:2]
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        pass
    try:
        quota = int((CGROUP_V1 / "cpu.cfs_quota_us").read_text())
        return None if quota < 0 else quota / int((CGROUP_V1 / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError, ZeroDivisionError):
        return None


def cores() -> int:
    """The CPU cores this process may use: its CPU affinity, within a container's quota
    (a 2-core app on a 64-core host may use 2)."""
    count = (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
             else os.cpu_count() or 1)
    quota = _quota()
    if quota is not None and quota > 0:
        count = min(count, math.ceil(quota))
    return max(1, count)


def train_one(config, params: dict, X, y, checkpoints, progress=None, shuffle=None,
              optimizer_state=None):
    """Train one network compiled; returns what ``training.train`` needs.

    Returns ``(sq, reached, ck_epochs, ck_params, final, optimizer_state)``:
    sum((a2 - y)^2) per epoch up to ``reached`` (the config's epochs, or the epoch
    at which the weights would have become non-finite), the checkpoint epochs
    recorded and their parameters stacked (K, ...), the final (last finite)
    parameters, and the optimizer's state in ``nn.OPTIMIZERS``' form.
    """
    k, sizes = kernels(), sizes_of(config.hidden)
    theta = flatten(params, sizes)
    state, steps = _state_in(optimizer_state or {}, sizes, theta.size)
    E, n = config.epochs, X.shape[1]
    ck = np.unique(np.asarray(checkpoints, dtype=np.int64))
    ck = ck[(ck >= 0) & (ck <= E)]
    ck_theta, ck_next = np.empty((len(ck), theta.size)), np.zeros(1, np.int64)
    sq = np.zeros(E)
    X, t = np.ascontiguousarray(X, float), np.ascontiguousarray(y[0], float)
    c, h, online = codes(config), hyper(config), config.update == "online"
    rng = (np.random.default_rng(config.seed) if shuffle is None else shuffle) if online else None
    step = CHUNK if online or progress is not None else max(E, 1)
    reached = 0
    for e0 in range(0, max(E, 1), step):
        e1 = min(E, e0 + step)
        o = orders(rng, e1 - e0, n) if online else np.zeros((0, n), np.int64)
        reached = k.train_one(theta, state, steps, sizes, X, t, c, h, e0, e1, o, True, ck,
                              ck_next, ck_theta, sq, 1)
        if reached < e1:
            break
        if progress is not None and e1 < E:
            progress(e1 / E)
    done = int(ck_next[0])
    return (sq[:reached], reached, ck[:done], unflatten(ck_theta[:done], sizes),
            unflatten(theta, sizes), _state_out(config.optimizer, state, steps, sizes))


def _state_in(opt_state: dict, sizes, P: int):
    """nn's optimizer state ({"v": params} or {"m", "v", "t"}) as the kernels' (2, P) and (1,)."""
    state, steps = np.zeros((2, P)), np.zeros(1, np.int64)
    rows = ("m", "v") if "m" in opt_state else ("v",)
    for row, key in enumerate(rows):
        if key in opt_state:
            state[row] = flatten(opt_state[key], sizes)
    steps[0] = int(opt_state.get("t", 0))
    return state, steps


def _state_out(optimizer: str, state, steps, sizes) -> dict:
    if optimizer == "momentum":
        return {"v": unflatten(state[0], sizes)}
    if optimizer == "adam":
        return {"m": unflatten(state[0], sizes), "v": unflatten(state[1], sizes),
                "t": int(steps[0])}
    return {}


def train_many(config, params: dict, lrs, seeds, X, y, loss_every: int, progress=None):
    """Train every seed compiled, in blocks of seeds: one GIL-free call per block (and per
    span of epochs, online), the blocks shared out over a thread per core this process
    may use (``cores()``, at most ``MOST_THREADS``). Seeds never depend on each other,
    so the result is the same on any number of threads.

    params : the initial W1 (S, H, 2), ... stacked over seeds; lrs (S,).
    Returns ``(final params stacked (S, ...), sq (rows, S))`` where row r is epoch
    r * loss_every. ``progress(fraction)`` is called in the calling thread as each
    block ends, so a caller can cancel there: the blocks not yet started are dropped,
    the ones under way stop at their next call, and the exception is raised.
    """
    k, sizes = kernels(), sizes_of(config.hidden)
    thetas = flatten(params, sizes)
    S, P = thetas.shape
    E, n = config.epochs, X.shape[1]
    states, steps = np.zeros((S, 2, P)), np.zeros((S, 1), np.int64)
    sq = np.zeros((S, len(range(0, E, loss_every))))
    X, t = np.ascontiguousarray(X, float), np.ascontiguousarray(y[0], float)
    c, h, online = codes(config), hyper(config), config.update == "online"
    lrs = np.ascontiguousarray(np.broadcast_to(np.asarray(lrs, float), (S,)))
    block = int(np.clip(BLOCK_WORK // max(E * n * P, 1), 1, S))
    span = int(np.clip(ORDER_CELLS // (block * n), 1, max(E, 1))) if online else max(E, 1)
    parts = [slice(s0, min(S, s0 + block)) for s0 in range(0, S, block)]
    stop = threading.Event()

    def train_part(part: slice) -> int:
        """Every epoch of one block of seeds; returns how many seeds it held."""
        rngs = [np.random.default_rng(int(s)) for s in seeds[part]] if online else []
        for e0 in range(0, E, span):
            if stop.is_set():
                break
            e1 = min(E, e0 + span)
            o = (np.stack([orders(r, e1 - e0, n) for r in rngs]) if online
                 else np.zeros((part.stop - part.start, 0, n), np.int64))
            k.train_block(thetas[part], states[part], steps[part], sizes, X, t, c, h,
                          lrs[part], e0, e1, o, sq[part], loss_every)
        return part.stop - part.start

    workers = max(1, min(cores(), MOST_THREADS, len(parts)))
    waiting = iter(parts)
    with ThreadPoolExecutor(workers, thread_name_prefix="train_many") as pool:
        # At most two blocks per thread are ever queued: a thread never waits for the
        # next, and a cancel finds at most 2 x workers blocks started.
        running = {pool.submit(train_part, part) for part in islice(waiting, 2 * workers)}
        try:
            done = 0
            while running:
                finished, running = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    done += future.result()
                    if progress is not None and done < S:
                        progress(done / S)
                    running |= {pool.submit(train_part, part) for part in islice(waiting, 1)}
        except BaseException:
            stop.set()
            for future in running:
                future.cancel()
            raise
    return unflatten(thetas, sizes), np.ascontiguousarray(sq.T) / n
