"""``nnviz race``: an optimiser race without a window (``nnviz.race``), a table of how it went.

    nnviz race --preset spiral --optimizers sgd,momentum,adam --steps 5000
    nnviz race --preset xor --optimizer sgd --lrs 0.01,0.1,1 --json --picture race.png

The data and network come from the same flags as ``nnviz train`` (``nnviz.cli_flags``); the
racers are the optimizers x learning rates given (at most ``race.MAX_RACERS``). Exit codes: 0
done (a racer that diverged is a result, marked in the table); 1 every racer diverged, or an
unexpected failure; 2 bad arguments (one line); 130 interrupted (the first Ctrl-C stops after
the current round and reports the race so far). ``--picture`` is drawn by a function the
caller passes (``nnviz.cli`` hands in the Qt renderer, so this module loads no Qt).
"""

from __future__ import annotations

import json
import sys
import time

from nnviz.cli_flags import config_from_args, dataset_from_args, flag_value
from nnviz.config import SETTINGS
from nnviz.errors import ConfigError, SessionFileError, printable
from nnviz.landscape import ParamRef
from nnviz.race import MAX_RESOLUTION, Race, RaceView, racer_configs
from nnviz.session.atomic import check_target
from nnviz.session.format import to_json_value
from nnviz.terminal import (
    PROGRESS_EVERY_S,
    Interrupt,
    Progress,
    command,
    num,
    percent,
    say,
)

#: steps raced when --steps is not given
DEFAULT_STEPS = 2000
#: the picture's landscape grid points per side (the window draws ``race.RESOLUTION``)
RESOLUTION = 61


def add_race_flags(p) -> None:
    """The flags ``nnviz race`` adds to ``nnviz train``'s data and configuration flags."""
    p.add_argument("--optimizers", help="the racers' optimizers, comma-separated (of "
                   f"{', '.join(SETTINGS['optimizer'].choices)}; default: --optimizer's)")
    p.add_argument("--lrs", help="the racers' learning rates, comma-separated (default: "
                   "--lr's); with several optimizers, each races at each rate")
    p.add_argument("--steps", type=int, help=f"steps each racer trains (default "
                   f"{DEFAULT_STEPS})")
    p.add_argument("--params", nargs=2, metavar=("X", "Y"), help="draw the paths on the "
                   "loss over these two parameters (e.g. 'W1[1, 1]' 'W1[2, 1]', counted from "
                   "1) instead of the plane of the paths' two main directions")
    p.add_argument("--resolution", type=int, default=RESOLUTION,
                   help=f"landscape grid points per side (default {RESOLUTION})")
    p.add_argument("--picture", metavar="PATH.png", help="save the loss curves and the paths "
                   "on the loss landscape as a PNG picture")
    p.add_argument("--json", action="store_true", help="print machine-readable results")
    p.set_defaults(weights=None, epochs=None, save=None, export_torch=None)


def _list(text: str | None, flag: str) -> list[str] | None:
    if text is None:
        return None
    parts = [t.strip() for t in text.split(",")]
    if not all(parts):
        raise ConfigError(f"{flag}: expected a comma-separated list, got {text!r}")
    return parts


def race_from_args(args):
    """(Race, steps) from ``nnviz race``'s arguments; ConfigError (one line) if unusable."""
    if args.optimizers is not None and args.optimizer is not None:
        raise ConfigError("give --optimizer or --optimizers, not both")
    if args.lrs is not None and args.lr is not None:
        raise ConfigError("give --lr or --lrs, not both")
    if getattr(args, "target_loss", None) is not None:
        raise ConfigError("--target-loss goes with nnviz train: every racer runs --steps steps")
    config = config_from_args(args)
    optimizers = _list(args.optimizers, "--optimizers")
    lrs = _list(args.lrs, "--lrs")
    if lrs is not None:
        lrs = [flag_value("lr", t) for t in lrs]
    steps = DEFAULT_STEPS if args.steps is None else args.steps
    s = SETTINGS["max_steps"]  # a count of steps: the table's limits
    if not s.accepts(steps) or steps is None:
        raise ConfigError(f"--steps must be {s.rule().split(', or None')[0]}, got {steps}")
    if args.picture is not None:
        if not args.picture.lower().endswith(".png"):
            raise ConfigError(f"--picture: expected a .png file name, got {args.picture!r}")
        try:
            check_target(args.picture)
        except SessionFileError as exc:
            raise ConfigError(f"--picture: {exc}") from None
    try:
        configs = racer_configs(config, optimizers, lrs)
    except ConfigError as exc:  # name the flag that gave the value
        text = str(exc)
        flag = next((f for f, field in (("--lrs: ", "lr "), ("--optimizers: ", "optimizer:"))
                     if text.startswith(field)), "")
        raise ConfigError(flag + text) from None
    if not 3 <= args.resolution <= MAX_RESOLUTION:
        raise ConfigError(f"--resolution must be a whole number from 3 to {MAX_RESOLUTION}, "
                          f"got {args.resolution}")
    race = Race(configs, dataset=dataset_from_args(args))
    if args.params is not None:
        param_refs(args, race)  # checked now, not after the race
    return race, steps


def param_refs(args, race: Race):
    """--params as two ParamRefs of ``race``'s network (None without it)."""
    if args.params is None:
        return None
    try:
        refs = tuple(ParamRef.parse(t, race.sizes) for t in args.params)
        race.plane(refs)
    except ConfigError as exc:
        raise ConfigError(f"--params: {exc}") from None
    return refs


def run_race(race: Race, steps: int, progress: Progress, interrupt: Interrupt | None) -> None:
    """``race.advance`` in chunks of about PROGRESS_EVERY_S until ``steps`` lockstep steps,
    every racer diverged, or ``interrupt.requested``."""
    chunk, end = 1, race.step + steps
    while race.step < end and race.going and not (interrupt and interrupt.requested):
        t0 = time.perf_counter()
        race.advance(min(chunk, end - race.step))
        took = time.perf_counter() - t0
        if took < PROGRESS_EVERY_S / 2:
            chunk = min(chunk * 2, 1_000_000)
        elif took > 2 * PROGRESS_EVERY_S and chunk > 1:
            chunk //= 2
        losses = "  ".join(f"{r.label}: {num(r.trainer.history.step_loss.latest, '.4g')}"
                           for r in race.racers)
        progress.update((race.step - (end - steps)) / steps, f"step {race.step}  {losses}")
    progress.finish()


def _row(r) -> dict:
    final = r.final or {}
    return {"racer": r.label, "optimizer": r.config.optimizer, "lr": r.config.lr,
            "steps": r.steps, "seconds": r.seconds, "steps_per_second": r.steps_per_second,
            "train": final.get("train"), "test": final.get("test"),
            "diverged": r.divergence is not None, "divergence": r.divergence}


def table(view: RaceView) -> list[str]:
    """The results, one racer a row."""
    width = max(12, *(len(r.label) for r in view.racers))
    lines = [f"{'racer':{width}s}  {'train loss':>10s}  {'test loss':>10s}  "
             f"{'test acc':>8s}  {'steps/s':>8s}  diverged"]
    for r in view.racers:
        train, test = (r.final or {}).get("train") or {}, (r.final or {}).get("test") or {}
        acc = percent(test.get("accuracy", train.get("accuracy")))
        div = "no" if r.divergence is None else f"at step {r.steps + 1}"
        lines.append(f"{r.label:{width}s}  {num(train.get('loss'), '10.4g'):>10s}  "
                     f"{num(test.get('loss'), '10.4g'):>10s}  {acc:>8s}  "
                     f"{num(r.steps_per_second, '8.0f'):>8s}  {div}")
    return lines


@command
def race_command(args, save_picture=None) -> int:
    """``nnviz race``; ``save_picture(view, path)`` draws --picture (None: not available)."""
    race, steps = race_from_args(args)
    if args.picture is not None and save_picture is None:
        raise ConfigError("--picture: drawing needs the Qt libraries, which are not available")
    if not args.json:
        say(f"nnviz race: {printable(race.title)}; {steps} steps, {len(race.racers)} racers")
    progress = Progress(sys.stderr, enabled=not args.json or sys.stderr.isatty())
    with Interrupt() as interrupt:
        t0 = time.perf_counter()
        run_race(race, steps, progress, interrupt)
        seconds = time.perf_counter() - t0
        plane = race.plane(param_refs(args, race))
        view = race.view(plane, race.landscape(plane, args.resolution), final=True,
                         finished=True)
        if args.picture is not None:
            save_picture(view, args.picture)
    result = {"dataset": race.racers[0].exp.dataset.name, "sizes": list(race.sizes),
              "steps": race.step, "seconds": seconds, "interrupted": interrupt.requested,
              "racers": [_row(r) for r in view.racers],
              "plane": {"kind": plane.kind, "axes": list(plane.labels), "share": plane.share,
                        "note": plane.note},
              "picture": args.picture}
    if args.json:
        say(json.dumps(to_json_value(result), allow_nan=False))
    else:
        for line in table(view):
            say(line)
        say(f"plane: {plane.note}")
        if args.picture is not None:
            say(f"picture saved to {printable(args.picture)}")
    if interrupt.requested:
        say(f"nnviz: race interrupted at step {race.step}", sys.stderr)
        return 130
    if not race.going:
        say("nnviz: every racer diverged - lower the learning rates", sys.stderr)
        return 1
    return 0
