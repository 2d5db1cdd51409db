"""Verdicts: solved, stuck on a named plateau, still learning, or diverged."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

# On XOR, a 2-2-1 sigmoid net gets stuck where hidden units saturate and some
# patterns become indistinguishable to the output unit. The output then settles
# on the mean target of each merged group, which fixes the MSE:
#   2 patterns with targets {0, 1} merged -> both predict 1/2 -> MSE 1/8
#   3 patterns with targets {0, 1, 1} merged -> all predict 2/3 -> MSE 1/6
#   all 4 merged -> all predict 1/2 -> MSE 1/4
PLATEAUS = {
    0.125: "two patterns merged (MSE ≈ 1/8)",
    1 / 6: "three patterns merged (MSE ≈ 1/6)",
    0.25: "all four patterns merged (MSE ≈ 1/4)",
}
PLATEAU_TOLERANCE = 0.01
# How the end of a loss curve is described: over its last TAIL_FRACTION of epochs, a
# fall of more than IMPROVING (relative) is still learning; under FLAT it has stopped;
# in between it is falling very slowly.
TAIL_FRACTION = 0.1
IMPROVING = 0.02
FLAT = 0.001
# A hidden unit counts as saturated on a sample when f'(z1) is below this
# fraction of the largest value f' can take (0.025 for the sigmoid).
SATURATION_FRACTION = 0.1


def correct(predictions, targets):
    """Which samples are on the right side of 0.5: ``(a2 > 0.5) == (y > 0.5)``, elementwise.

    The one definition of a right answer; shapes broadcast, so (n,) against (n,)
    or (n, S) against (n, 1) both work.
    """
    return (np.asarray(predictions) > 0.5) == (np.asarray(targets) > 0.5)


@dataclass(frozen=True)
class Verdict:
    """``status`` is one of solved, stuck, learning, diverged; ``text`` explains it."""

    status: str
    text: str
    plateau: float | None = None

    @property
    def solved(self) -> bool:
        return self.status == "solved"


def nearest_plateau(mse: float) -> float | None:
    """The known plateau within PLATEAU_TOLERANCE of ``mse``, or None."""
    best = min(PLATEAUS, key=lambda p: abs(p - mse))
    return best if abs(best - mse) <= PLATEAU_TOLERANCE else None


def tail_change(loss, fraction: float = TAIL_FRACTION) -> tuple[float, float]:
    """The change of the loss over its last ``fraction`` of epochs: (absolute, relative).

    Both are negative when the loss falls. The relative change is against the
    value where that stretch starts.
    """
    loss = np.asarray(loss, dtype=float)
    if len(loss) < 2:
        return 0.0, 0.0
    tail = loss[-max(int(len(loss) * fraction), 2):]
    change = float(tail[-1] - tail[0])
    return change, change / max(abs(float(tail[0])), 1e-12)


def trend(loss, fraction: float = TAIL_FRACTION) -> str:
    """How the curve ends, in words with the measured change, for the verdict."""
    change, relative = tail_change(loss, fraction)
    where = f"Δ over the last {fraction:.0%} of epochs: {change:+.2g}".replace("-", "−")
    if -relative > IMPROVING:
        return f"is still falling ({where}, {relative:+.1%})".replace("-", "−")
    if -relative >= FLAT:
        return f"is falling very slowly ({where}, {relative:+.2%})".replace("-", "−")
    if relative > FLAT:
        return f"is rising ({where})"
    return f"has stopped falling ({where})"


def diagnose(loss, predictions, targets, stopped=None, required: float = 1.0) -> Verdict:
    """Classify a run from its loss curve (E,) and final predictions/targets (n,).

    required : the fraction of samples that must be on the right side of 0.5
    (1.0 for the truth tables; less for noisy data that no boundary separates).
    Unsolved runs are "learning" while the loss falls by more than IMPROVING over
    the last TAIL_FRACTION of epochs, else "stuck"; the text says how fast it falls.
    """
    if stopped:
        return Verdict("diverged", stopped)
    if len(loss) == 0:
        return Verdict("learning", "Not trained yet (0 epochs).")
    final = float(loss[-1])
    right = correct(predictions, targets)
    if right.all():
        return Verdict("solved", f"Solved: every sample is on the right side of 0.5 "
                                 f"(final MSE {final:.4f}).")
    if right.mean() >= required:
        return Verdict("solved", f"Solved: {right.mean():.0%} of samples are on the right "
                                 f"side of 0.5 (final MSE {final:.4f}).")
    wrong = int((~right).sum())
    are = "is" if wrong == 1 else "are"
    improving = -tail_change(loss)[1] > IMPROVING
    plateau = nearest_plateau(final)
    if improving:
        return Verdict("learning", f"Not solved yet, but still improving (MSE {final:.4f}, "
                                   f"{wrong} wrong; the loss {trend(loss)}): more epochs may "
                                   "solve it.")
    if plateau is not None:
        return Verdict("stuck", f"Stuck on a plateau: {PLATEAUS[plateau]}. "
                                f"{wrong} of {len(right)} samples {are} on the wrong "
                                f"side of 0.5 and the loss {trend(loss)}.", plateau)
    return Verdict("stuck", f"Not solved: {wrong} of {len(right)} samples {are} on "
                            f"the wrong side of 0.5 and the loss {trend(loss)}, at {final:.4f}.")


def plateau_of(final_mse, solved) -> np.ndarray:
    """(S,) the named plateau each unsolved seed ended on, NaN for solved or elsewhere."""
    final_mse = np.asarray(final_mse, dtype=float)
    plateau = np.full(final_mse.shape, np.nan)
    with np.errstate(invalid="ignore"):
        for value in PLATEAUS:
            near = np.abs(final_mse - value) <= PLATEAU_TOLERANCE
            plateau[near & ~np.asarray(solved, dtype=bool)] = value
    return plateau


def census_counts(solved, plateau, final_mse=None) -> dict[str, int]:
    """Seeds per outcome, in display order; the counts add up to the number of seeds.

    Keys: "solved", one "stuck near MSE 1/8"-style key per entry of PLATEAUS,
    "unsolved elsewhere", and "diverged" when some final MSE is not finite.
    """
    solved, plateau = np.asarray(solved, dtype=bool), np.asarray(plateau, dtype=float)
    counts = {"solved": int(solved.sum())}
    for value in PLATEAUS:
        counts[f"stuck near MSE {plateau_name(value)}"] = int(np.sum(np.isclose(plateau, value)))
    rest = ~solved & np.isnan(plateau)
    diverged = rest & ~np.isfinite(np.asarray(final_mse, dtype=float)) \
        if final_mse is not None else np.zeros_like(rest)
    counts["unsolved elsewhere"] = int((rest & ~diverged).sum())
    if diverged.any():
        counts["diverged"] = int(diverged.sum())
    return counts


def plateau_name(value: float) -> str:
    """``1/8`` for 0.125: a plateau's MSE as the fraction it is."""
    return str(Fraction(value).limit_denominator(12))


def diagnose_many(final_mse, predictions, targets, required: float = 1.0):
    """Vectorised: ``solved`` (S,) bool and ``plateau`` (S,) float (NaN if none).

    predictions : (n, S) final outputs; targets : (n,).
    """
    solved = correct(predictions, targets[:, None]).mean(axis=0) >= required
    return solved, plateau_of(final_mse, solved)
