"""``nnviz train`` and ``nnviz info``: training and inspecting sessions without a window.

Exit codes: 0 success; 2 bad arguments or input files (NNVizError, one line printed by
``nnviz.cli``); 1 divergence (the last finite parameters are still saved with --save) or an
unexpected failure ("nnviz: internal error: ..."); 130 interrupted: the first Ctrl-C stops
training after the current chunk of steps (at most about 0.2 s), the results so far are
printed and, with --save, saved; a second Ctrl-C aborts at once (a save under way leaves the
old file). Output to a pipe its reader closed (``| head -1``) is dropped quietly; the command
still finishes. Training uses every core (the engine's default thread count; only the GUI
limits it).

Size (~470 lines, over the house's ~450): the flags of ``nnviz train`` are generated from the
configuration table, and ``train`` and ``info`` share one report writer; the next seam is ``info``.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import signal
import sys
import threading
import time

import numpy as np

from nnviz.config import CSV_FIELDS, SETTINGS
from nnviz.data.csvload import MAX_CSV_BYTES, load_csv
from nnviz.errors import ConfigError, NNVizError, SessionFileError, one_line, printable
from nnviz.experiment import Experiment, TrainingConfig, build, preset
from nnviz.session.atomic import check_target
from nnviz.session.format import to_json_value
from nnviz.session.interop import build_from_network, export_torch, load_network, torch_paths

#: epochs trained when neither --epochs nor --steps (nor the preset) says
DEFAULT_EPOCHS = 100
#: seconds between progress updates
PROGRESS_EVERY_S = 0.1
#: longest line ``nnviz info`` prints (a session's strings are clipped in the middle)
INFO_LINE_CHARS = 300


def _internal(exc: BaseException) -> int:
    say(f"nnviz: internal error: {type(exc).__name__}: {one_line(str(exc).strip(), 300)}",
        sys.stderr)
    return 1


def command(run):
    """``run(args, ...)`` as a CLI command: project errors, Ctrl-C and a closed pipe go up to
    ``nnviz.cli`` (one line, its exit code); anything else is one "internal error" line and
    exit 1, never a traceback."""

    @functools.wraps(run)
    def guarded(*args, **kwargs) -> int:
        try:
            return run(*args, **kwargs)
        except (NNVizError, KeyboardInterrupt, BrokenPipeError):
            raise
        except Exception as exc:
            return _internal(exc)

    return guarded


def say(text: str, stream=None) -> None:
    """Print a line to ``stream`` (stdout); a reader that went away silences it instead."""
    from nnviz.cli import quiet_stream

    stream = sys.stdout if stream is None else stream
    try:
        stream.write(text + "\n")
        stream.flush()
    except BrokenPipeError:
        quiet_stream(stream)


class Interrupt:
    """Ctrl-C while training: the first sets ``requested`` (the loop stops at its next check,
    leaving a whole run to report and save), a second raises KeyboardInterrupt at once.
    A context manager; only the main thread can take SIGINT over (elsewhere it does nothing)."""

    def __init__(self):
        self.requested = False
        self._previous = None

    def _on_sigint(self, signum, frame) -> None:
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True

    def __enter__(self) -> Interrupt:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._on_sigint)
        return self

    def __exit__(self, *exc) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


# ---------------------------------------------------------------------------- arguments
#: the TrainingConfig fields that are ``nnviz train`` flags (--lr, --batch-size, ...): all but
#: the data (--preset, --data, --target, --features, --task), the run's length (--steps,
#: --epochs) and text
CONFIG_FLAGS = tuple(name for name in SETTINGS if name not in (
    "dataset", "dataset_params", *CSV_FIELDS, "features", "activations", "max_steps",
    "max_epochs", "description"))


def option(name: str) -> str:
    return "--" + name.replace("_", "-")


def _hint(s) -> str:
    """What a flag takes, for its help: the setting's rule in command-line words."""
    if s.kind == "layers":
        text = f"comma-separated, e.g. 16,16 ('' for none); each {s.min} to {s.max}"
    elif s.kind == "choice":
        text = ", ".join(s.choices)
    else:
        text = s.rule().split(", or None")[0]
    if s.optional:
        text += f"; '{s.none_word}'" + (f": {s.none_text}" if s.none_text != s.none_word else "")
    return text


def add_config_flags(parser) -> None:
    """One flag per field of ``CONFIG_FLAGS``, its help from the configuration table."""
    for name in CONFIG_FLAGS:
        s = SETTINGS[name]
        if s.kind == "flag":
            parser.add_argument(option(name), action=argparse.BooleanOptionalAction,
                                default=None, help=s.help)
        else:
            parser.add_argument(option(name), metavar=s.kind.upper(),
                                help=f"{s.help} ({_hint(s)})".replace("%", "%%"))


def flag_value(name: str, text):
    """A flag's text as the field's value; ConfigError naming the flag if it cannot be one
    (limits are checked by ``TrainingConfig.validate``, in the same words everywhere)."""
    s = SETTINGS[name]
    if not isinstance(text, str):
        return text
    t = text.strip()
    if s.optional and t.lower() == s.none_word:
        return None
    try:
        if s.kind == "int":
            return int(t)
        if s.kind in ("float", "rate"):
            return float(t)
        if s.kind == "bias":
            return t if t == "normal" else float(t)
        if s.kind == "layers":
            return tuple(int(part) for part in t.split(",")) if t else ()
    except ValueError:
        raise ConfigError(f"{option(name)}: expected {_hint(s)}, got {text!r}") from None
    return t


def _column_list(text: str | None, flag: str) -> tuple[str, ...] | None:
    """'a,b' -> ('a', 'b'): CSV column names separated by commas (None when not given)."""
    if text is None:
        return None
    names = tuple(part.strip() for part in text.split(","))
    if not all(names):
        raise ConfigError(f"{flag}: expected column names separated by commas, got {text!r}")
    return names


def _csv_choice(args) -> dict:
    """--target, --features and --task as TrainingConfig's csv_target, csv_features, csv_task
    (one target a name, several a tuple: a multi-output regression)."""
    target = _column_list(args.target, "--target")
    return {"csv_target": target[0] if target and len(target) == 1 else target,
            "csv_features": _column_list(getattr(args, "features", None), "--features"),
            "csv_task": getattr(args, "task", None)}


def config_from_args(args) -> TrainingConfig:
    """The TrainingConfig ``nnviz train`` arguments describe (ConfigError if unusable)."""
    if args.preset:
        for flag in ("target", "task"):
            if getattr(args, flag, None):
                raise ConfigError(f"--{flag} goes with --data, not --preset")
        config = preset(args.preset)
        features = _column_list(getattr(args, "features", None), "--features")
        if features is not None:  # a built-in dataset's engineered inputs (x1,x2,x1*x2)
            try:
                SETTINGS["features"].check(features)
            except ConfigError as exc:
                raise ConfigError(f"--features: {exc}") from None
            config = config.replace(features=features, description="")
    else:
        config = TrainingConfig(dataset="csv", csv_path=args.data, **_csv_choice(args))
    weights = getattr(args, "weights", None)
    if weights and args.hidden is not None:
        raise ConfigError("--hidden goes without --weights (the file gives the layers)")
    # with --weights, --activation/--output name the file's activations (load_network reads
    # them: --activation may list one per layer), not settings of a new network
    file_flags = ("activation", "output") if weights else ()
    changes = {name: flag_value(name, getattr(args, name)) for name in CONFIG_FLAGS
               if getattr(args, name, None) is not None and name not in file_flags}
    for name, value in changes.items():  # validation's words, after the flag that said it
        try:
            SETTINGS[name].check(value)
        except ConfigError as exc:
            raise ConfigError(f"{option(name)}: {exc}") from None
    if "hidden" in changes or "activation" in changes:
        changes["activations"] = None
    if changes:
        changes["description"] = ""
    config = config.replace(**changes)
    config.validate()
    if args.steps is not None and args.steps < 0:
        raise ConfigError(f"--steps must be >= 0, got {args.steps}")
    if args.epochs is not None and not (math.isfinite(args.epochs) and args.epochs > 0):
        raise ConfigError(f"--epochs must be a positive number, got {args.epochs}")
    if args.save is not None:  # checked now, not after hours of training
        try:
            check_target(args.save)
        except SessionFileError as exc:
            raise ConfigError(f"--save: {exc}") from None
    if getattr(args, "export_torch", None) is not None:
        try:
            for target in torch_paths(args.export_torch):
                check_target(target)
        except (SessionFileError, NNVizError) as exc:
            raise ConfigError(f"--export-torch: {exc}") from None
    return config


def dataset_from_args(args):
    """The CSV ``--data`` names, read with --delimiter and --max-csv-mb; None for a preset."""
    if not getattr(args, "data", None):
        return None
    mb = getattr(args, "max_csv_mb", None)
    max_bytes = MAX_CSV_BYTES if mb is None else int(mb * 2**20)
    try:
        size = os.stat(args.data).st_size
    except OSError:
        size = 0  # load_csv says what is wrong with it
    if size > max_bytes:
        raise ConfigError(f"--data: {args.data} is {size / 2**20:.1f} MB, over the limit of "
                          f"{max_bytes / 2**20:g} MB (raise it with --max-csv-mb)")
    choice = _csv_choice(args)
    return load_csv(args.data, target=choice["csv_target"], features=choice["csv_features"],
                    task=choice["csv_task"], delimiter=getattr(args, "delimiter", None),
                    max_bytes=max_bytes)


# ---------------------------------------------------------------------------- progress
class Progress:
    """A bar redrawn in place on a terminal; a plain line every 10% otherwise."""

    def __init__(self, stream, enabled: bool = True):
        self.stream, self.enabled = stream, enabled
        self.tty = enabled and hasattr(stream, "isatty") and stream.isatty()
        self._next_decile = 1
        self._last = 0.0

    def update(self, fraction: float, text: str, force: bool = False) -> None:
        if not self.enabled:
            return
        fraction = min(max(fraction, 0.0), 1.0)
        if self.tty:
            now = time.monotonic()
            if force or now - self._last >= PROGRESS_EVERY_S:
                self._last = now
                bar = "#" * int(30 * fraction)
                self._write(f"\r[{bar:<30s}] {100 * fraction:5.1f}%  {text}\033[K")
        else:
            if fraction * 10 >= self._next_decile:
                self._next_decile = int(fraction * 10) + 1
                self._write(f"{100 * fraction:3.0f}%  {text}\n")

    def finish(self) -> None:
        if self.enabled and self.tty:
            self._write("\n")

    def _write(self, text: str) -> None:
        from nnviz.cli import quiet_stream

        try:
            self.stream.write(text)
            self.stream.flush()
        except BrokenPipeError:  # `2>&1 | head`: the bar is not worth failing the run for
            self.enabled = False
            quiet_stream(self.stream)


# ---------------------------------------------------------------------------- training
def _describe(exp: Experiment, preset_name: str | None = None) -> str:
    """"preset NAME, data NAME: network ..., loss ..., optimiser lr ..., batch ..."."""
    tr = exp.trainer
    acts = ", ".join(a.name for a in exp.net.activations)
    batch = "full" if tr.batch_size == tr.n else str(tr.batch_size)
    source = f"data {exp.dataset.name}"
    if preset_name:
        source = f"preset {preset_name}, {source}"
    return (f"{source}: network {'-'.join(map(str, exp.net.sizes))} ({acts}), "
            f"loss {tr.loss_fn.name}, {tr.optimizer.name} lr {tr.lr:g}, batch {batch}")


def planned_steps(exp: Experiment, steps: int | None, epochs: float | None) -> int:
    """The steps ``train(exp, steps, epochs, ...)`` will run unless training stops first."""
    tr = exp.trainer
    if steps is not None:
        return steps
    return max(0, math.ceil((math.ceil(epochs * tr.n) - tr.samples_seen) / tr.batch_size))


def train(exp: Experiment, steps: int | None, epochs: float | None, progress: Progress,
          interrupt: Interrupt | None = None, every: int | None = None,
          on_frame=None) -> None:
    """Run ``steps`` more steps, or until ``epochs`` epochs in all, or until training stops
    (or ``interrupt.requested``, checked between chunks of about PROGRESS_EVERY_S);
    ``on_frame()`` after every step that is a multiple of ``every``."""
    tr = exp.trainer
    end_step = tr.step_count + steps if steps is not None else None
    end_samples = math.ceil(epochs * tr.n) if epochs is not None else None
    start_step, start_samples = tr.step_count, tr.samples_seen
    chunk = 1
    while not tr.stopped and not (interrupt is not None and interrupt.requested):
        if end_step is not None:
            left = end_step - tr.step_count
        else:
            left = math.ceil((end_samples - tr.samples_seen) / tr.batch_size)
        if left <= 0:
            break
        if every:
            left = min(left, every - tr.step_count % every)
        t0 = time.perf_counter()
        tr.run(min(chunk, left))
        took = time.perf_counter() - t0
        if every and tr.step_count % every == 0:
            on_frame()
        # aim for about PROGRESS_EVERY_S per call
        if took < PROGRESS_EVERY_S / 2:
            chunk = min(chunk * 2, 1_000_000)
        elif took > PROGRESS_EVERY_S * 2 and chunk > 1:
            chunk //= 2
        if end_step is not None:
            done = (tr.step_count - start_step) / max(1, steps)
        else:
            done = (tr.samples_seen - start_samples) / max(1, end_samples - start_samples)
        progress.update(done, f"step {tr.step_count}  epoch {tr.epoch:.1f}  "
                              f"loss {tr.history.step_loss.latest:.6g}")
    progress.finish()


def final_lines(final: dict, n_train: int, n_test: int) -> list[str]:
    """``Trainer.final_metrics()`` as ``nnviz train`` and ``nnviz info`` both print it."""
    lines = []
    for part, rows in (("train", f"{n_train} training"), ("test", f"{n_test} test")):
        m = final.get(part)
        if m is None:
            continue
        text = f"{part:5s} loss {_num(m['loss'])}"
        if "accuracy" in m:
            text += f"  accuracy {_percent(m['accuracy'])}"
        lines.append(f"{text}  (final parameters, all {rows} rows)")
    return lines


@command
def train_command(args, record=None) -> int:
    """``nnviz train``; ``record``: with --record, writes the run's Recording as an
    animation (``nnviz.gui.record_export.HeadlessRecord``: Qt, so the CLI passes it in)."""
    config = config_from_args(args)
    if getattr(args, "weights", None):
        network = load_network(args.weights, activation=args.activation, output=args.output)
        exp = build_from_network(config, network, dataset=dataset_from_args(args))
        config = exp.config
    else:
        exp = build(config, dataset=dataset_from_args(args))
    steps, epochs = args.steps, args.epochs
    if steps is None and epochs is None:
        steps, epochs = config.max_steps, config.max_epochs
        if steps is None and epochs is None:
            epochs = DEFAULT_EPOCHS
    progress = Progress(sys.stderr, enabled=not args.json or sys.stderr.isatty())
    with Interrupt() as interrupt:  # from the first line on, Ctrl-C keeps what was trained
        if not args.json:
            say(f"nnviz train {printable(_describe(exp, args.preset))}")
        t0 = time.perf_counter()
        if record is None:
            train(exp, steps, epochs, progress, interrupt)
        else:
            recording = _recorded_training(exp, steps, epochs, progress, interrupt,
                                           record.frames)
        seconds = time.perf_counter() - t0
        recorded = unrecorded = None
        if record is not None:
            frames = Progress(sys.stderr, enabled=not args.json or sys.stderr.isatty())
            with Interrupt() as stop:  # Ctrl-C now stops the animation, not the results
                recorded = record(recording, lambda done, total: frames.update(
                    done / total, f"frame {done}/{total} of {printable(str(record.path))}"),
                    stop=lambda: stop.requested)
            frames.finish()
            if recorded is None:
                unrecorded = (f"recording interrupted: nothing written to "
                              f"{printable(str(record.path))}")
        return _finish(args, config, exp, seconds, interrupt.requested, recorded, unrecorded)


def _recorded_training(exp: Experiment, steps, epochs, progress: Progress, interrupt,
                       frames: int):
    """``train``, taking a snapshot for a Recording about ``frames`` times evenly (and at the
    start and the end) -> the Recording."""
    from nnviz.recorder import Recording
    from nnviz.snapshot import prediction_grid, run_info, take_snapshot

    recording = Recording(run_info(exp))

    def frame() -> None:
        with np.errstate(all="ignore"):  # a diverging run is reported, not warned about
            recording.offer(take_snapshot(exp, grid=prediction_grid(exp)))

    frame()
    every = max(1, math.ceil(planned_steps(exp, steps, epochs) / max(1, frames - 1)))
    train(exp, steps, epochs, progress, interrupt, every=every, on_frame=frame)
    if exp.trainer.step_count % every:
        frame()
    return recording


def _finish(args, config: TrainingConfig, exp: Experiment, seconds: float,
            interrupted: bool, recorded=None, unrecorded: str | None = None) -> int:
    """Save (with --save), print the results (``recorded``: the animation written, if any;
    ``unrecorded``: why the one asked for was not), return the exit code."""
    from nnviz.session import save_session

    tr = exp.trainer
    stopped = f"interrupted at step {tr.step_count}" if interrupted else tr.stop_reason
    result = {
        "preset": args.preset, "dataset": exp.dataset.name, "sizes": list(exp.net.sizes),
        "activations": [a.name for a in exp.net.activations], "loss": tr.loss_fn.name,
        "optimizer": tr.optimizer.name, "lr": tr.lr, "steps": tr.step_count,
        "epochs": tr.epoch, "seconds": seconds, **tr.final_metrics(),
        "diverged": tr.divergence is not None,
        "message": stopped, "interrupted": interrupted, "saved": None,
        "recorded": None if recorded is None else str(recorded),
        "config": config.to_dict(),
    }
    if args.save is not None:
        try:
            result["saved"] = str(save_session(args.save, exp))
        except KeyboardInterrupt:
            say(f"nnviz: interrupted at step {tr.step_count} while saving: nothing saved "
                f"({args.save} is as it was)", sys.stderr)
            return 130
    if getattr(args, "export_torch", None) is not None:
        script, weights = export_torch(args.export_torch, exp)
        result["exported"] = [str(script), str(weights)]
        if not args.json:
            say(f"PyTorch script {printable(str(script))} (weights in "
                f"{printable(weights.name)})")
    if args.json:
        say(json.dumps(to_json_value(result), allow_nan=False))
    else:
        say(f"done: {tr.step_count} steps, {tr.epoch:.4g} epochs in {seconds:.2f} s")
        for line in final_lines(result, tr.n, len(tr.X_test) if tr.X_test is not None else 0):
            say(line)
        if result["saved"]:
            what = "the last finite parameters" if tr.divergence else "session"
            say(f"saved {what} to {printable(result['saved'])}")
        if result["recorded"]:
            say(f"recorded the run as {printable(result['recorded'])}")
    if interrupted:
        saved = (f"saved the session to {printable(result['saved'])}" if result["saved"]
                 else "nothing saved (no --save)")
        say(f"nnviz: {stopped}; {unrecorded + '; ' if unrecorded else ''}{saved}", sys.stderr)
        return 130
    if unrecorded is not None:
        say(f"nnviz: {unrecorded}", sys.stderr)
        return 130
    if tr.divergence is not None:
        say(f"nnviz: {tr.divergence.message}", sys.stderr)
        return 1
    return 0


# ---------------------------------------------------------------------------- info
def _num(v, fmt: str = ".6g") -> str:
    return "-" if v is None or (isinstance(v, float) and math.isnan(v)) else format(v, fmt)


def _percent(v) -> str:
    return "-" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{100 * v:.1f}%"


@command
def info_command(args) -> int:
    """``nnviz info``: a session file's summary."""
    from nnviz.session import load_session, session_info

    info = session_info(args.path)
    try:  # the final metrics, recomputed exactly as nnviz train computed them
        info["final"], problem = load_session(args.path)[0].trainer.final_metrics(), None
    except (NNVizError, OSError) as exc:
        info["final"], problem = None, one_line(str(exc))
    if getattr(args, "json", False):
        say(json.dumps(to_json_value(info), allow_nan=False))  # JSON escapes control characters
        return 0
    if info["final"] is not None:
        final = final_lines(info["final"], info["n_train"], info["n_test"])
    else:
        final = [f"not computed: {problem}"]
    lines = [
        f"{info['path']}  (nnviz session v{info['version']}, saved {info['saved_at']})",
        f"network   {'-'.join(map(str, info['sizes']))}  ({', '.join(info['activations'])})",
        f"data      {info['dataset']} ({info['task']}), {info['n_train']} train / "
        f"{info['n_test']} test rows",
        f"training  {info['optimizer']} lr {info['lr']:g}, loss {info['loss']}; "
        f"{info['steps']} steps, {info['epochs']:.4g} epochs",
        *(f"{'final' if i == 0 else '':10s}{line}" for i, line in enumerate(final)),
        "curves    " + ", ".join(  # the error panel's series, as last recorded
            [f"last step's batch loss {_num(info['last_step_loss'])}",
             f"last epoch's mean step loss {_num(info['train_loss'])}"]
            + ([f"test loss {_num(info['test_loss'])}"] if info["n_test"] else [])
            + [f"{part} accuracy {_percent(info[f'{part}_accuracy'])}" for part in
               ("train", "test") if not math.isnan(info[f"{part}_accuracy"])]
        ) + " (as last recorded)",
    ]
    if info["stop_reason"]:
        lines.append(f"stopped   {info['stop_reason']}")
    # the strings come from the file: a control character (ESC, CR...) must not reach the
    # terminal, where it could retitle or clear it or forge a line
    say("\n".join(one_line(line, INFO_LINE_CHARS) for line in lines))
    return 0
