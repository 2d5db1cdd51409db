"""The command line: ``python -m backprop train``, one flag per setting.

``python -m backprop script`` prints a standalone NumPy script of the same run, and
``python -m backprop settings`` prints every setting as the README's table.

The flags, their ``--help`` text and their choices are generated from ``FIELDS``:
each flag is a setting's name (``--lr 0.5``) and its value is parsed by the same
``Field.parse`` as the URL's, so a bad value gets the same message. The loss is
printed as the tutorial prints it, ``Epoch N, Loss: X`` (X to 12 significant
digits, ``export.log_line``), then the verdict and a table of predictions.

Every user error (bad flag, unreadable run file, unwritable ``--save``) is one
line on stderr, ``backprop: error: ...``, with exit status 2. A run that
diverges exits with status 1 after printing its log. If the reader of the output
goes away (``python -m backprop train | head``), it stops quietly with status 141,
as a Unix tool stopped by SIGPIPE does.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

from . import userdata
from .config import FIELDS, TrainConfig, filled_message, settings_table
from .datasets import CONTINUOUS, CUSTOM
from .diagnosis import correct as is_correct
from .export import log_line, standalone_script
from .nn import widths_of
from .notation import layers_words
from .runfile import MAX_BYTES, RunFileError, loads, run_to_json
from .training import Run, train

TABLE_ROWS = 8  # rows of predictions shown for the continuous datasets
BROKEN_PIPE = 128 + 13  # the status a shell reports for a tool stopped by SIGPIPE


class CliError(Exception):
    """A user error, printed as one line ``backprop: error: ...`` (exit status 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise CliError(message)


def _setting(field):
    """An argparse ``type`` that parses with ``field.parse``, keeping its message."""

    def parse(text):
        try:
            return field.parse(text)
        except ValueError as err:
            raise argparse.ArgumentTypeError(str(err)) from None

    return parse


def _points_file(path):
    """An argparse ``type`` for ``--data FILE``: the CSV's points as the setting's text.

    The same checks (and one-line, row-numbered messages) as the app's CSV upload.
    """
    try:
        with open(path, "rb") as file:
            data = file.read(userdata.MAX_BYTES + 1)
    except OSError as err:
        raise argparse.ArgumentTypeError(
            f"cannot read data file {path!r}: {err.strerror or err}") from None
    try:
        return userdata.to_link(*userdata.parse_csv(data))
    except userdata.DataError as err:
        raise argparse.ArgumentTypeError(f"data file {path!r}: {err}") from None


def _log_every(text):
    try:
        every = int(text)
    except ValueError:
        every = -1
    if every < 0:
        raise argparse.ArgumentTypeError(f"log-every must be a whole number >= 0, got {text!r}")
    return every


def build_parser() -> argparse.ArgumentParser:
    """The ``backprop`` parser: ``train``, ``script`` and ``settings``."""
    parser = _Parser(prog="backprop", allow_abbrev=False,
                     description="Train a 2-H-1 network by hand-written backpropagation.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    command = commands.add_parser(
        "train", allow_abbrev=False, help="train one network and print its loss",
        description="Train one network, printing the loss as the tutorial does, then the "
                    "verdict and the predictions. Every setting defaults to the tutorial's.")
    _settings_flags(command)
    files = command.add_argument_group("run files (JSON)")
    files.add_argument("--load", metavar="FILE",
                       help="start from this run file's weights; its hidden must match "
                            "--hidden, the other settings come from the flags")
    files.add_argument("--save", metavar="FILE",
                       help="write the settings, final weights and MSE curve to FILE")
    _log_flag(command)
    script = commands.add_parser(
        "script", allow_abbrev=False, help="print a standalone NumPy script of this run",
        description="Print a Python script, needing only NumPy, that trains this run (the "
                    "tutorial's program with these settings and initial weights written in) "
                    "and prints the same log as 'train'.")
    _settings_flags(script)
    script.add_argument("--load", metavar="FILE",
                        help="start from this run file's weights; its hidden must match "
                             "--hidden")
    script.add_argument("--out", metavar="FILE", help="write the script to FILE, not stdout")
    _log_flag(script)
    commands.add_parser(
        "settings", help="print every setting, its default and range (a markdown table)",
        description="Print every setting: its name (the flag, URL parameter and run-file "
                    "key), default, allowed values and meaning. README.md shows this table.")
    return parser


def _settings_flags(command) -> None:
    """One flag per setting, generated from ``FIELDS``."""
    settings = command.add_argument_group("settings (the same names as in the app's URL)")
    for name, field in FIELDS.items():
        metavar = "{" + ",".join(field.choices) + "}" if field.choices else name.upper()
        kind = _setting(field)
        if field.kind == "points":  # points come from a CSV file, not the command line
            metavar, kind = "FILE", _points_file
        settings.add_argument(f"--{name}", type=kind, metavar=metavar, help=flag_help(field))


def _log_flag(command) -> None:
    output = command.add_argument_group("output")
    output.add_argument("--log-every", type=_log_every, default=1000, metavar="N",
                        help="print the loss every N epochs; 0 prints none (default 1000)")


def flag_help(field) -> str:
    """A setting's ``--help`` line, from its declaration: what it sets, allowed, default."""
    parts = [field.help]
    if field.kind == "points":
        parts.append(f"FILE is a CSV with a header x1,x2,y and one row per point (y 0 or 1, "
                     f"both present; at most {userdata.MAX_ROWS:,} rows and "
                     f"{userdata.MAX_BYTES // 1_000_000} MB); it sets the dataset to {CUSTOM}.")
    elif field.kind != "choice":  # the choices are in the flag's metavar
        parts.append(field.allowed().capitalize() + ".")
    if field.when:
        parts.append(f"{field.only_for().capitalize()}.")
    parts.append(f"Default: {field.text(field.default) or 'none'}.")
    return " ".join(parts).replace("%", "%%")  # argparse formats help with %


def _joined(argv: list[str]) -> list[str]:
    """``--lr -inf`` as ``--lr=-inf``: a setting's value that starts with "-" is still its
    value, so it gets the setting's message rather than argparse's "expected one argument"."""
    out, flags = [], {f"--{name}" for name in FIELDS}
    for arg in argv:
        if out and out[-1] in flags and arg.startswith("-") and not arg.startswith("--"):
            out[-1] = f"{out[-1]}={arg}"
        else:
            out.append(arg)
    return out


def main(argv=None) -> int:
    """Run the command line on ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        try:
            args = build_parser().parse_args(_joined(argv))
        except SystemExit as done:  # --help
            status = done.code or 0
        else:
            status = COMMANDS[args.command](args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
        return status
    except BrokenPipeError:
        _quiet_stdout()
        return BROKEN_PIPE
    except CliError as err:
        print(f"backprop: error: {' '.join(str(err).split())}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("backprop: interrupted", file=sys.stderr)
        return 130


def settings_command(args=None) -> int:
    """Print the settings table that README.md shows (``config.settings_table``)."""
    print(settings_table())
    return 0


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so Python's own flush at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):  # stdout is not a real file (tests)
        pass


def train_command(args: argparse.Namespace) -> int:
    """Train with the parsed flags; print the log, verdict and predictions; save if asked."""
    config = _config(args)
    if args.save is not None:
        check_writable(args.save)
    params = None
    if args.load is not None:
        params, note = load_params(args.load, config.hidden)
        print(f"Starting from the weights in {args.load}")
        if note:
            print(note)
    run = train(config, params)
    if args.save is not None and not run.stopped:
        save(run, args.save)  # before printing, so a closed pipe cannot lose the file
    print_log(run.mse, args.log_every)
    if run.stopped:
        unsaved = f" Nothing was saved to {args.save}." if args.save is not None else ""
        print(f"backprop: {run.stopped}{unsaved}", file=sys.stderr)
        return 1
    print()
    print(run.verdict.text)
    print()
    print(prediction_table(run))
    if args.save is not None:
        print(f"Saved the run to {args.save}")
    return 0


def script_command(args: argparse.Namespace) -> int:
    """Print (or write to ``--out``) the standalone script for the flags' run."""
    config = _config(args)
    params = load_params(args.load, config.hidden)[0] if args.load is not None else None
    source = standalone_script(config, params, args.log_every)
    if args.out is None:
        sys.stdout.write(source)
        return 0
    check_writable(args.out)
    try:
        Path(args.out).write_text(source, encoding="utf-8")
    except OSError as err:
        raise CliError(f"cannot write {args.out!r}: {err.strerror or err}") from None
    print(f"Wrote {args.out}: run it with python {args.out}")
    return 0


def _config(args) -> TrainConfig:
    """The flags' settings; ``--data FILE`` means ``--dataset custom``."""
    if args.data is not None:
        if args.dataset not in (None, CUSTOM):
            raise CliError(f"--data FILE trains on the file's points, so it needs --dataset "
                           f"{CUSTOM} (or no --dataset), got --dataset {args.dataset}")
        args.dataset = CUSTOM
    return TrainConfig(**{name: getattr(args, name) for name in FIELDS
                          if getattr(args, name) is not None})


def load_params(path: str, hidden) -> tuple[dict, str]:
    """The weights of the run file at ``path``, which must be for exactly these hidden
    widths (``(3, 2)``: the same depth and the same width in every layer), and a note on
    the settings the file left out ("" if none; see ``config.filled_message``)."""
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_BYTES + 1)
    except OSError as err:
        raise CliError(f"cannot read run file {path!r}: {err.strerror or err}") from None
    if len(data) > MAX_BYTES:
        raise CliError(f"run file {path!r} is too large: a run file is at most "
                       f"{MAX_BYTES:,} bytes")
    try:
        loaded = loads(data)
    except RunFileError as err:
        raise CliError(f"run file {path!r}: {err}") from None
    if loaded.config.hidden != widths_of(hidden):
        text = FIELDS["hidden"].text
        raise CliError(f"run file {path!r} is for hidden = {text(loaded.config.hidden)} "
                       f"({layers_words(loaded.config.hidden)}), but --hidden is "
                       f"{text(hidden)} ({layers_words(hidden)}); pass --hidden "
                       f"{text(loaded.config.hidden)} to start from its weights")
    return loaded.params, filled_message(path, loaded)


def check_writable(path: str) -> None:
    """Fail before training, not after, if ``path`` cannot be written."""
    target = Path(path)
    if target.is_dir():
        raise CliError(f"cannot save to {path!r}: it is a directory")
    folder = target.parent
    if not folder.is_dir():
        raise CliError(f"cannot save to {path!r}: there is no directory {str(folder)!r}")
    if not os.access(folder, os.W_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise CliError(f"cannot save to {path!r}: permission denied")


def save(run: Run, path: str) -> None:
    try:
        Path(path).write_text(run_to_json(run), encoding="utf-8")
    except (OSError, RunFileError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else err
        raise CliError(f"cannot save to {path!r}: {reason}") from None


def print_log(loss, every: int) -> None:
    """The tutorial's log: ``Epoch N, Loss: X`` for every N that is a multiple of ``every``.

    loss : (E,) mean squared error before each update, as in ``Run.mse``.
    """
    if every:
        for epoch in range(0, len(loss), every):
            print(log_line(epoch, loss[epoch]))


COMMANDS = {"train": train_command, "script": script_command, "settings": settings_command}


def prediction_table(run: Run) -> str:
    """x1, x2, target, prediction and correct (yes/no) per sample, aligned, plus accuracy.

    Larger datasets (the clouds, your own data) show their first TABLE_ROWS samples only.
    """
    X, targets, predictions = run.X, run.y[0], run.predictions
    correct = is_correct(predictions, targets)
    n = len(targets)
    x = ".4f" if run.config.dataset in CONTINUOUS else "g"
    shown = min(n, TABLE_ROWS)
    rows = [("x1", "x2", "target", "prediction", "correct")]
    rows += [(f"{X[0, i]:{x}}", f"{X[1, i]:{x}}", f"{targets[i]:g}", f"{predictions[i]:.4f}",
              "yes" if correct[i] else "no") for i in range(shown)]
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    lines = ["  ".join(cell.rjust(w) for cell, w in zip(row, widths, strict=True))
             for row in rows]
    if shown < n:
        more = n - shown
        lines.append(f"... {more} more sample{'' if more == 1 else 's'}")
    right = int(np.sum(correct))
    lines.append(f"Accuracy: {right} of {n} on the right side of 0.5 ({right / n:.1%})")
    return "\n".join(lines)
