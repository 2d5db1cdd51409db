"""What each student of the load test will do: seeded plans of links to open.

Two kinds of class:

- ``class_plan``: the shared link, then links with one setting changed, drawn from a
  short list (``LOOKS``), so students collide and hit the cache;
- ``explore_plan`` (``--explore``): every look is a whole setting no other look of the
  class picked, drawn with a seeded RNG across ``EXPLORE``: hidden (one or two layers),
  lr, seed, epochs, activation, loss, init and optimizer. Names, choices and bounds come from
  ``backprop.config.FIELDS``; the numeric ranges are the part of each bound a class
  tries (a student types 0.05–2 for the learning rate, not 1e-6 or 1000), checked
  against ``FIELDS`` when this module loads.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from urllib.parse import urlencode

from backprop.config import DEFAULTS, FIELDS, to_query
from bench.wsclient import RunResult

SHARED = urlencode(to_query(DEFAULTS))  # the link the teacher shares: every default
# One setting changed from the shared link; a short list, so students collide.
LOOKS = ({"seed": 1}, {"seed": 2}, {"seed": 3}, {"lr": 0.5}, {"lr": 1.0}, {"hidden": 3},
         {"hidden": 4}, {"activation": "tanh"}, {"loss": "bce"}, {"init": "xavier"},
         {"dataset": "circles", "lr": 0.02})
# The ranges a class explores: (low, high) inside the FIELDS bounds, or None for every
# choice the FIELDS entry allows. lr is drawn log-uniformly and rounded to 3 digits,
# epochs in the widget's steps, hidden as one or two layers (``HIDDEN_LAYERS``) of 2-4 units.
EXPLORE = {"hidden": (2, 4), "lr": (0.05, 2.0), "seed": (0, int(FIELDS["seed"].hi)),
           "epochs": (1000, 10000), "activation": None, "loss": None, "init": None,
           "optimizer": None}
HIDDEN_LAYERS = (1, 2)


def _check_explore() -> None:
    for name, bounds in EXPLORE.items():
        for value in bounds or ():
            FIELDS[name].parse(value)  # raises ValueError naming the setting and the range


_check_explore()


def look_query(change: dict) -> str:
    return urlencode(to_query(DEFAULTS.replace(**change)))


def changed(query: str) -> str:
    """What a link changes from the shared one: ``seed=2``."""
    return "&".join(sorted(set(query.split("&")) - set(SHARED.split("&")))) or "shared link"


def draw_setting(rng: random.Random) -> dict:
    """One setting drawn across ``EXPLORE``."""
    out = {}
    for name, bounds in EXPLORE.items():
        f = FIELDS[name]
        if bounds is None:
            out[name] = rng.choice(f.choices)
        elif name == "lr":
            lr = math.exp(rng.uniform(math.log(bounds[0]), math.log(bounds[1])))
            out[name] = float(f"{lr:.3g}")
        elif name == "epochs":
            step = int(f.step or 1)
            out[name] = step * rng.randint(-(-bounds[0] // step), bounds[1] // step)
        elif name == "hidden":
            out[name] = tuple(rng.randint(*bounds) for _ in range(rng.randint(*HIDDEN_LAYERS)))
        else:
            out[name] = rng.randint(*bounds)
    return out


@dataclass
class Student:
    """One viewer's seeded plan and what happened."""

    name: str
    browser: bool
    arrive: float  # seconds after the start
    queries: list[str]
    gaps: list[float]  # seconds spent on each page before opening the next link
    runs: list[RunResult] = field(default_factory=list)
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    heavy: str | None = None  # a census or sweep this viewer runs instead of looking
    heavy_runs: list[RunResult] = field(default_factory=list)  # every run it asked for
    heavy_big: list[RunResult] = field(default_factory=list)  # the big computations

    @property
    def clean(self) -> bool:
        return (self.error is None and len(self.runs) == len(self.queries)
                and all(r.ok for r in self.runs + self.heavy_runs))

    def problems(self) -> list[str]:
        out = [self.error] if self.error else []
        for r in self.runs + self.heavy_runs:
            if not r.ok:
                out.append(f"{r.status} {r.exceptions + r.errors} at {changed(r.query)}")
        return out


def class_plan(viewers: int, arrive: float, looks: int, browsers: int, seed: int,
               gaps: tuple[float, float], explore: bool = False) -> list[Student]:
    """``viewers`` students: each opens the shared link, then ``looks`` more links."""
    rng = random.Random(seed)
    browser_ids = set(rng.sample(range(viewers), min(browsers, viewers)))
    taken = {SHARED}
    students = []
    for i in range(viewers):
        queries = [SHARED]
        for _ in range(looks):
            if not explore:
                queries.append(look_query(rng.choice(LOOKS)))
                continue
            query = SHARED
            while query in taken:  # a setting no other look picked
                query = look_query(draw_setting(rng))
            taken.add(query)
            queries.append(query)
        students.append(Student(
            name=f"{'browser' if i in browser_ids else 'viewer'}-{i:02d}",
            browser=i in browser_ids, arrive=rng.uniform(0, arrive), queries=queries,
            gaps=[rng.uniform(*gaps) for _ in range(looks)]))
    return sorted(students, key=lambda s: s.arrive)
