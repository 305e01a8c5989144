"""The ``nnviz`` command.

    nnviz [--preset NAME] [--train-steps N --screenshot PATH]     open the app
    nnviz --weights FILE [--data FILE.csv | --preset NAME]        open it on your own network
    nnviz --list-presets
    nnviz train --preset NAME | --data FILE.csv [...]             train headless
    nnviz info SESSION.nnviz                                      summarise a session file
    nnviz race --preset NAME --optimizers sgd,adam [...]          race optimisers headless

Exit codes: 0 success; 2 bad arguments or bad input (one line on stderr); 1 unexpected failure;
130 interrupted (Ctrl-C). A reader that closes the pipe early (``nnviz info s.nnviz | head -1``)
ends the output quietly: the command still finishes (and saves) and exits with its own code.
"""

from __future__ import annotations

import argparse
import sys

from nnviz import gc_control
from nnviz.blas_env import one_blas_thread_at_load
from nnviz.dataclass_cache import install as compiled_dataclasses
from nnviz.errors import NNVizError, one_line
from nnviz.qt_threads import no_gui_thread_pool

#: the commands besides opening the window, for ``nnviz --help``
COMMANDS = """commands without a window:
  nnviz train --preset NAME | --data FILE.csv [...]
                     train headless, print the final losses, --save a session
                     (nnviz train --help)
  nnviz info SESSION.nnviz
                     summarise a saved session (nnviz info --help)
  nnviz race --preset NAME --optimizers sgd,momentum,adam [--lrs ...] [...]
                     race up to 4 optimisers or learning rates from one start,
                     print a table, --picture the paths (nnviz race --help)"""


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with one line (not the whole usage) on a bad argument."""

    def error(self, message: str):  # noqa: D401 - argparse's name
        self.exit(2, f"nnviz: error: {message} (see nnviz --help)\n")


def _megabytes(text: str) -> float:
    """argparse type of --max-csv-mb: a positive number of megabytes."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of MB, got {text!r}") from None
    if not 0 < value <= 2**20:  # up to 1 TB: the file is read into memory
        raise argparse.ArgumentTypeError(f"must be a positive number of MB, got {text}")
    return value


def _app_parser() -> argparse.ArgumentParser:
    from nnviz.experiment import DEFAULT_PRESET

    p = _Parser(prog="nnviz", description="Watch a small neural network learn.",
                epilog=COMMANDS, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--preset", help=f"configuration to open (default {DEFAULT_PRESET})")
    p.add_argument("--open", metavar="SESSION", help="open a saved session file")
    p.add_argument("--list-presets", action="store_true", help="list the presets and exit")
    p.add_argument("--train-steps", type=int, metavar="N",
                   help="train N steps in the worker thread after opening")
    p.add_argument("--screenshot", metavar="PATH",
                   help="save a PNG of the main window (after --train-steps) and exit")
    p.add_argument("--weights", metavar="FILE",
                   help="a network to start from: .safetensors, nnviz .npz, "
                   "or a PyTorch state_dict (with torch installed)")
    p.add_argument("--data", metavar="FILE.csv", help="a CSV file to train on (last column: "
                   "the target)")
    p.add_argument("--activation", help="hidden activation(s) of --weights when the file "
                   "does not name them (one, or one per layer comma-separated)")
    p.add_argument("--output", help="output activation of --weights when the file does not "
                   "name it")
    p.add_argument("--version", action="version", version=_version())
    return p


def _data_flags(p) -> None:
    """The data (--preset or --data and how to read the CSV) and configuration flags that
    ``nnviz train`` and ``nnviz race`` share."""
    from nnviz.cli_flags import add_config_flags
    from nnviz.data.csvload import TASK_CHOICES

    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--preset", help="a preset name (nnviz --list-presets)")
    src.add_argument("--data", metavar="FILE.csv", help="a CSV file with a header row")
    p.add_argument("--target", help="target column of the CSV (default: the last); several, "
                   "comma-separated, for a multi-output regression")
    p.add_argument("--features", help="the network's inputs, comma-separated: columns of "
                   "the CSV (default: every other column), or with a 2-D --preset some of "
                   "x1,x2,x1^2,x2^2,x1*x2,sin(x1),sin(x2) (default: x1,x2)")
    p.add_argument("--task", choices=TASK_CHOICES,
                   help="what the target is (default: inferred from its values)")
    p.add_argument("--delimiter", help="the CSV's delimiter (default: sniffed among , ; tab |)")
    p.add_argument("--max-csv-mb", type=_megabytes, metavar="MB",
                   help="largest CSV file read (default 50)")
    add_config_flags(p)  # --hidden, --lr, --seed ...: one per configuration field


def _train_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="nnviz train", description="Train without a window.")
    _data_flags(p)
    p.add_argument("--weights", metavar="FILE",
                   help="a network to start from: .safetensors, nnviz .npz, or a PyTorch "
                   "state_dict (with torch installed); --activation (one, or one per layer "
                   "comma-separated) and --output then name its activations if it does not")
    p.add_argument("--export-torch", metavar="PATH.py", help="when done, write a runnable "
                   "PyTorch script and its .safetensors weights beside it")
    stop = p.add_mutually_exclusive_group()
    stop.add_argument("--epochs", type=float, help="train this many epochs")
    stop.add_argument("--steps", type=int, help="train this many steps")
    p.add_argument("--save", metavar="PATH", help="save the session here when done")
    p.add_argument("--record", metavar="PATH", help="also save an animation of the run: "
                   ".gif, or .mp4 with ffmpeg (pip install imageio-ffmpeg); the window's "
                   "panels rendered offscreen at moments spread evenly over the training")
    p.add_argument("--record-panel", metavar="NAME", help="animate one panel instead of the "
                   "whole window: errorCurve, networkDiagram, vectors, heatmaps, ...")
    p.add_argument("--record-fps", type=float, metavar="N",
                   help="frames per second of the animation (default 12)")
    p.add_argument("--record-size", metavar="WxH", help="size in pixels (default 1280x720 "
                   "for the window, 800x600 for a panel)")
    p.add_argument("--record-frames", type=int, metavar="N",
                   help="moments in the animation, evenly over the run (default 120, at most "
                   "300)")
    p.add_argument("--json", action="store_true", help="print machine-readable results")
    return p


def _race_parser() -> argparse.ArgumentParser:
    from nnviz.race_cli import add_race_flags

    p = _Parser(prog="nnviz race", description="Race optimisers (or learning rates) from one "
                "starting point and one sample order, without a window.")
    _data_flags(p)
    add_race_flags(p)
    return p


def _save_race_picture(view, path: str) -> None:
    from nnviz.gui.race_view import save_picture

    save_picture(view, path)


def _recorder(args):
    """--record and its options, checked now (before training), or None without --record."""
    options = ("record_panel", "record_fps", "record_size", "record_frames")
    if args.record is None:
        given = [o for o in options if getattr(args, o) is not None]
        if given:
            raise NNVizError(f"--{given[0].replace('_', '-')} goes with --record")
        return None
    from nnviz.gui.record_export import HeadlessRecord

    return HeadlessRecord(args.record, args.record_fps, args.record_panel, args.record_size,
                          args.record_frames)


def _info_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="nnviz info", description="Summarise a session file.")
    p.add_argument("path", help="a .nnviz session file")
    p.add_argument("--json", action="store_true", help="print machine-readable results")
    return p


def _version() -> str:
    from nnviz import __version__

    return f"nnviz {__version__}"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        if argv and argv[0] == "train":
            from nnviz.headless import train_command

            args = _train_parser().parse_args(argv[1:])
            return train_command(args, _recorder(args))
        if argv and argv[0] == "race":
            from nnviz.race_cli import race_command

            return race_command(_race_parser().parse_args(argv[1:]), _save_race_picture)
        if argv and argv[0] == "info":
            from nnviz.headless import info_command

            return info_command(_info_parser().parse_args(argv[1:]))
        # the window's process, before its arguments import numpy and nnviz's modules:
        one_blas_thread_at_load()  # OpenBLAS without its second thread,
        no_gui_thread_pool()  # Qt's painting without its thread pool,
        gc_control.hold()  # no collections while the window's modules load (run_app ends it),
        compiled_dataclasses()  # nnviz's dataclasses from code compiled at an earlier start
        try:
            args = _app_parser().parse_args(argv)
            if args.list_presets:
                from nnviz.experiment import PRESETS

                for name, config in PRESETS.items():
                    print(f"{name:15s} {config.description}")
                return 0
            from nnviz.gui.app import run_app

            return run_app(args)
        finally:
            gc_control.finish()
    except NNVizError as exc:
        _say_error(f"nnviz: {one_line(str(exc))}")
        return 2
    except KeyboardInterrupt:
        _say_error("nnviz: interrupted")
        return 130
    except BrokenPipeError:  # the reader went away: nothing more to say to anyone
        quiet_stream(sys.stdout)
        return 0


def quiet_stream(stream) -> None:
    """Send the rest of ``stream``'s output (a pipe whose reader left) to the null device, so
    neither later writes nor the flush at exit raise BrokenPipeError again."""
    import os

    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return  # not a real file (a test's capture): nothing is flushed at exit
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def _say_error(line: str) -> None:
    try:
        print(line, file=sys.stderr, flush=True)
    except (BrokenPipeError, ValueError):
        quiet_stream(sys.stderr)
