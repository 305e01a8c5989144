"""``nnviz train`` and ``nnviz info``: training and inspecting sessions without a window.

Exit codes: 0 success; 2 bad arguments or input files (NNVizError, one line printed by
``nnviz.cli``); 1 divergence (the last finite parameters are still saved with --save) or an
unexpected failure ("nnviz: internal error: ..."). Training uses every core (the engine's
default thread count; only the GUI limits it).
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path

import numpy as np

from nnviz.engine.trainer import accuracy
from nnviz.errors import ConfigError, NNVizError
from nnviz.experiment import Experiment, TrainingConfig, build, preset
from nnviz.session.format import to_json_value

#: epochs trained when neither --epochs nor --steps (nor the preset) says
DEFAULT_EPOCHS = 100
#: seconds between progress updates
PROGRESS_EVERY_S = 0.1


def _internal(exc: BaseException) -> int:
    text = str(exc).strip().replace("\n", " ")[:300]
    print(f"nnviz: internal error: {type(exc).__name__}: {text}", file=sys.stderr)
    return 1


# ---------------------------------------------------------------------------- arguments
def _hidden(text: str) -> tuple[int, ...]:
    text = text.strip()
    if not text:
        return ()
    try:
        return tuple(int(part) for part in text.split(","))
    except ValueError:
        raise ConfigError(
            f"--hidden: expected neurons per layer separated by commas (e.g. 16,16), got {text!r}"
        ) from None


def _batch(text: str) -> int | None:
    if text.strip().lower() == "full":
        return None
    try:
        return int(text)
    except ValueError:
        raise ConfigError(f"--batch-size: expected a number or 'full', got {text!r}") from None


def config_from_args(args) -> TrainingConfig:
    """The TrainingConfig ``nnviz train`` arguments describe (ConfigError if unusable)."""
    if args.preset:
        if args.target:
            raise ConfigError("--target goes with --data, not --preset")
        config = preset(args.preset)
    else:
        config = TrainingConfig(dataset="csv", csv_path=args.data, csv_target=args.target)
    changes: dict = {}
    if args.hidden is not None:
        changes["hidden"], changes["activations"] = _hidden(args.hidden), None
    if args.activation is not None:
        changes["activation"], changes["activations"] = args.activation, None
    if args.loss is not None:
        changes["loss"] = args.loss
    if args.optimizer is not None:
        changes["optimizer"] = args.optimizer
    if args.lr is not None:
        changes["lr"] = args.lr
    if args.batch_size is not None:
        changes["batch_size"] = _batch(args.batch_size)
    if args.seed is not None:
        changes["seed"] = args.seed
    if args.test_ratio is not None:
        changes["test_ratio"] = args.test_ratio
    config = config.replace(**changes)
    config.validate()
    if args.steps is not None and args.steps < 0:
        raise ConfigError(f"--steps must be >= 0, got {args.steps}")
    if args.epochs is not None and not (math.isfinite(args.epochs) and args.epochs > 0):
        raise ConfigError(f"--epochs must be a positive number, got {args.epochs}")
    if args.save:
        folder = Path(args.save).parent
        if not folder.is_dir():
            raise ConfigError(f"--save: folder {str(folder)!r} does not exist")
    return config


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
                self.stream.write(f"\r[{bar:<30s}] {100 * fraction:5.1f}%  {text}\033[K")
                self.stream.flush()
        else:
            if fraction * 10 >= self._next_decile:
                self._next_decile = int(fraction * 10) + 1
                self.stream.write(f"{100 * fraction:3.0f}%  {text}\n")
                self.stream.flush()

    def finish(self) -> None:
        if self.enabled and self.tty:
            self.stream.write("\n")
            self.stream.flush()


# ---------------------------------------------------------------------------- training
def _describe(exp: Experiment) -> str:
    tr = exp.trainer
    acts = ", ".join(a.name for a in exp.net.activations)
    batch = "full" if tr.batch_size == tr.n else str(tr.batch_size)
    return (f"{exp.dataset.name}: network {'-'.join(map(str, exp.net.sizes))} ({acts}), "
            f"loss {tr.loss_fn.name}, {tr.optimizer.name} lr {tr.lr:g}, batch {batch}")


def train(exp: Experiment, steps: int | None, epochs: float | None, progress: Progress) -> None:
    """Run ``steps`` more steps, or until ``epochs`` epochs in all, or until training stops."""
    tr = exp.trainer
    end_step = tr.step_count + steps if steps is not None else None
    end_samples = math.ceil(epochs * tr.n) if epochs is not None else None
    start_step, start_samples = tr.step_count, tr.samples_seen
    chunk = 1
    while not tr.stopped:
        if end_step is not None:
            left = end_step - tr.step_count
        else:
            left = math.ceil((end_samples - tr.samples_seen) / tr.batch_size)
        if left <= 0:
            break
        t0 = time.perf_counter()
        tr.run(min(chunk, left))
        took = time.perf_counter() - t0
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


def metrics(exp: Experiment) -> dict:
    """Final loss (and accuracy for classification) on the train and test rows."""
    tr = exp.trainer
    out = {}
    with np.errstate(all="ignore"):  # after a divergence the losses may overflow: reported
        for part, X, Y in (("train", tr.X, tr.Y), ("test", tr.X_test, tr.Y_test)):
            if X is None:
                out[part] = None
                continue
            m = {"loss": tr.full_loss(test=part == "test")}
            if tr.classification:
                m["accuracy"] = accuracy(exp.net.predict(X), Y)
            out[part] = m
    return out


def _metric_line(name: str, m: dict) -> str:
    text = f"{name:5s} loss {m['loss']:.6g}"
    if "accuracy" in m:
        text += f"  accuracy {100 * m['accuracy']:.1f}%"
    return text


def train_command(args) -> int:
    try:
        return _train_command(args)
    except (NNVizError, KeyboardInterrupt):
        raise
    except Exception as exc:
        return _internal(exc)


def _train_command(args) -> int:
    from nnviz.session import save_session

    config = config_from_args(args)
    exp = build(config)
    tr = exp.trainer
    steps, epochs = args.steps, args.epochs
    if steps is None and epochs is None:
        steps, epochs = config.max_steps, config.max_epochs
        if steps is None and epochs is None:
            epochs = DEFAULT_EPOCHS
    out = sys.stdout
    if not args.json:
        print(f"nnviz train {_describe(exp)}", file=out, flush=True)
    progress = Progress(sys.stderr, enabled=not args.json or sys.stderr.isatty())
    t0 = time.perf_counter()
    train(exp, steps, epochs, progress)
    seconds = time.perf_counter() - t0
    result = {
        "dataset": exp.dataset.name, "sizes": list(exp.net.sizes),
        "activations": [a.name for a in exp.net.activations], "loss": tr.loss_fn.name,
        "optimizer": tr.optimizer.name, "lr": tr.lr, "steps": tr.step_count,
        "epochs": tr.epoch, "seconds": seconds, **metrics(exp),
        "diverged": tr.divergence is not None,
        "message": tr.stop_reason, "saved": None, "config": config.to_dict(),
    }
    if args.save:
        result["saved"] = str(save_session(args.save, exp))
    if args.json:
        print(json.dumps(to_json_value(result), allow_nan=False), file=out)
    else:
        print(f"done: {tr.step_count} steps, {tr.epoch:.4g} epochs in {seconds:.2f} s", file=out)
        for part in ("train", "test"):
            if result[part] is not None:
                print(_metric_line(part, result[part]), file=out)
        if result["saved"]:
            what = "the last finite parameters" if tr.divergence else "session"
            print(f"saved {what} to {result['saved']}", file=out)
    if tr.divergence is not None:
        print(f"nnviz: {tr.divergence.message}", file=sys.stderr)
        return 1
    return 0


# ---------------------------------------------------------------------------- info
def _num(v, fmt: str = ".6g") -> str:
    return "-" if v is None or (isinstance(v, float) and math.isnan(v)) else format(v, fmt)


def info_command(args) -> int:
    try:
        return _info_command(args)
    except (NNVizError, KeyboardInterrupt):
        raise
    except Exception as exc:
        return _internal(exc)


def _info_command(args) -> int:
    from nnviz.session import session_info

    info = session_info(args.path)
    if getattr(args, "json", False):
        print(json.dumps(to_json_value(info), allow_nan=False))
        return 0
    acc = [f"{part} accuracy {100 * info[f'{part}_accuracy']:.1f}%" for part in ("train", "test")
           if not math.isnan(info[f"{part}_accuracy"])]
    lines = [
        f"{info['path']}  (nnviz session v{info['version']}, saved {info['saved_at']})",
        f"network   {'-'.join(map(str, info['sizes']))}  ({', '.join(info['activations'])})",
        f"data      {info['dataset']} ({info['task']}), {info['n_train']} train / "
        f"{info['n_test']} test rows",
        f"training  {info['optimizer']} lr {info['lr']:g}, loss {info['loss']}; "
        f"{info['steps']} steps, {info['epochs']:.4g} epochs",
        "latest    " + ", ".join(
            [f"step loss {_num(info['last_step_loss'])}", f"train loss {_num(info['train_loss'])}"]
            + ([f"test loss {_num(info['test_loss'])}"] if info["n_test"] else []) + acc
        ),
    ]
    if info["stop_reason"]:
        lines.append(f"stopped   {info['stop_reason']}")
    print("\n".join(lines))
    return 0
