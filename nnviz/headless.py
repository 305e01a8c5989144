"""``nnviz train`` and ``nnviz info``: training and inspecting sessions without a window.

Exit codes: 0 success; 2 bad arguments or input files (NNVizError, one line printed by
``nnviz.cli``); 1 divergence (the last finite parameters are still saved with --save) or an
unexpected failure ("nnviz: internal error: ..."); 130 interrupted: the first Ctrl-C stops
training after the current chunk of steps (at most about 0.2 s), the results so far are
printed and, with --save, saved; a second Ctrl-C aborts at once (a save under way leaves the
old file). Output to a pipe its reader closed (``| head -1``) is dropped quietly; the command
still finishes. Training uses every core (the engine's default thread count; only the GUI
limits it).

The flags are read by ``nnviz.cli_flags``; errors, Ctrl-C and progress are
``nnviz.terminal``'s.
"""

from __future__ import annotations

import json
import math
import sys
import time

import numpy as np

from nnviz.cli_flags import config_from_args, dataset_from_args
from nnviz.errors import NNVizError, one_line, printable
from nnviz.experiment import Experiment, TrainingConfig, build
from nnviz.session.format import to_json_value
from nnviz.session.interop import build_from_network, export_torch, load_network
from nnviz.terminal import PROGRESS_EVERY_S, Interrupt, Progress, command, num, percent, say

#: epochs trained when neither --epochs nor --steps (nor the preset) says
DEFAULT_EPOCHS = 100
#: longest line ``nnviz info`` prints (a session's strings are clipped in the middle)
INFO_LINE_CHARS = 300


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
        text = f"{part:5s} loss {num(m['loss'])}"
        if "accuracy" in m:
            text += f"  accuracy {percent(m['accuracy'])}"
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
            [f"last step's batch loss {num(info['last_step_loss'])}",
             f"last epoch's mean step loss {num(info['train_loss'])}"]
            + ([f"test loss {num(info['test_loss'])}"] if info["n_test"] else [])
            + [f"{part} accuracy {percent(info[f'{part}_accuracy'])}" for part in
               ("train", "test") if not math.isnan(info[f"{part}_accuracy"])]
        ) + " (as last recorded)",
    ]
    if info["stop_reason"]:
        lines.append(f"stopped   {info['stop_reason']}")
    # the strings come from the file: a control character (ESC, CR...) must not reach the
    # terminal, where it could retitle or clear it or forge a line
    say("\n".join(one_line(line, INFO_LINE_CHARS) for line in lines))
    return 0
