"""The training settings as command-line flags (``nnviz train``, ``nnviz race``): declared
from the configuration table (``nnviz.config.SETTINGS``: one flag per field, its help and
limits in the table's words), and read back into a TrainingConfig and the CSV dataset."""

from __future__ import annotations

import argparse
import math
import os

from nnviz.config import CSV_FIELDS, SETTINGS
from nnviz.data.csvload import MAX_CSV_BYTES, load_csv
from nnviz.errors import ConfigError, NNVizError, SessionFileError
from nnviz.experiment import TrainingConfig, preset
from nnviz.session.atomic import check_target
from nnviz.session.interop import torch_paths

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
