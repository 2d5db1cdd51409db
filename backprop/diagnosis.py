"""Verdicts: solved, stuck on a named plateau, still learning, or diverged."""

from __future__ import annotations

from dataclasses import dataclass

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


def diagnose(loss, predictions, targets, stopped=None, required: float = 1.0) -> Verdict:
    """Classify a run from its loss curve (E,) and final predictions/targets (n,).

    required : the fraction of samples that must be on the right side of 0.5
    (1.0 for the truth tables; less for noisy data that no boundary separates).
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
    tail = loss[-max(len(loss) // 10, 1):]
    improving = tail[0] - tail[-1] > 0.02 * max(tail[0], 1e-12)
    plateau = nearest_plateau(final)
    if plateau is not None and not improving:
        return Verdict("stuck", f"Stuck on a plateau: {PLATEAUS[plateau]}. "
                                f"{wrong} of {len(right)} samples are on the wrong side "
                                f"of 0.5 and the loss has stopped falling.", plateau)
    if improving:
        return Verdict("learning", f"Not solved yet, but still improving (MSE {final:.4f}, "
                                   f"{wrong} wrong): more epochs may solve it.")
    return Verdict("stuck", f"Not solved: {wrong} of {len(right)} samples are on the "
                            f"wrong side of 0.5 and the loss has flattened at {final:.4f}.")


def diagnose_many(final_mse, predictions, targets, required: float = 1.0):
    """Vectorised: ``solved`` (S,) bool and ``plateau`` (S,) float (NaN if none).

    predictions : (n, S) final outputs; targets : (n,).
    """
    solved = correct(predictions, targets[:, None]).mean(axis=0) >= required
    plateau = np.full(final_mse.shape, np.nan)
    for value in PLATEAUS:
        near = np.abs(final_mse - value) <= PLATEAU_TOLERANCE
        plateau[near & ~solved] = value
    return solved, plateau
