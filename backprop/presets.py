"""Named starting points, each with a sentence on what to look for.

A preset is a set of settings (applied over the tutorial defaults) plus the
view to open first. Solved fractions quoted here were measured with
``explore.census`` over seeds 0-199 (see the README).
"""

from __future__ import annotations

from .config import TrainConfig

PRESETS = {
    "tutorial defaults (seed 0 — stuck)": (
        {},
        "The tutorial's exact run. It never solves XOR: three patterns end up at output ≈ 0.66. "
        "See the σ′(z⁽¹⁾) maps beside the decision surface: both hidden units are dark "
        "(saturated) on (0,1), (1,0) and (1,1)."),
    "a seed that solves": (
        {"seed": 2},
        "Same settings, another random start. The two hidden units split the plane with two "
        "lines and the output combines them; σ′ stays bright near the boundaries."),
    "4 hidden units — almost always solves": (
        {"hidden": 4},
        "Extra hidden units give spare directions: when one unit saturates, another still "
        "carries gradient. 200 of 200 seeds solve XOR at these settings."),
    "cross-entropy": (
        {"loss": "bce"},
        "With cross-entropy, δ² = a² − y: the output's σ′ cancels, so a confidently wrong "
        "output still gets a large error signal. Seed 0 now solves."),
    "tanh": (
        {"activation": "tanh"},
        "tanh units centre their output on 0 and have slope 1 at the origin. Seed 0 lands on the "
        "other plateau (MSE ≈ 1/8): two patterns stuck at 0.5. Try the seeds in the census."),
    "noisy XOR cloud (200 points)": (
        {"dataset": "xor-cloud", "hidden": 4, "lr": 0.02, "epochs": 5000},
        "XOR with 200 noisy points. The gradient is summed over all samples, as in the "
        "tutorial, so 200 points need a learning rate about 50x smaller than 4 do."),
}


def preset_config(name: str, base: TrainConfig = TrainConfig()) -> TrainConfig:
    """The full config for a preset: the tutorial defaults with the preset's changes."""
    return base.replace(**PRESETS[name][0])
