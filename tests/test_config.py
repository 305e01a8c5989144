"""The configuration table: one declaration per field drives validation, live-or-rebuild,
``Trainer.configure``, session files and the ``nnviz train`` flags, with one message each."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from nnviz import cli, cli_flags
from nnviz.config import (
    LIVE_FIELDS,
    SETTINGS,
    TrainingConfig,
    live_changes,
    optimizer_settings,
)
from nnviz.engine.optimizers import OPTIMIZERS
from nnviz.errors import ConfigError
from nnviz.experiment import PRESETS, build


def test_every_field_is_declared_once_with_a_setting():
    names = [f.name for f in dataclasses.fields(TrainingConfig)]
    assert list(SETTINGS) == names
    for name, s in SETTINGS.items():
        assert s.name == name and s.help
        if s.kind in ("int", "float", "rate", "layers", "bias"):
            assert s.min is not None and s.max is not None and s.min <= s.max, name
        if s.kind in ("choice", "names"):
            assert s.choices, name
        if s.kind in ("text", "layers", "names", "params"):
            assert s.max_len > 0, name
    # every default is valid, and every preset
    TrainingConfig().validate()
    for config in PRESETS.values():
        config.validate()


def test_live_fields_are_the_trainers_settings():
    own = {n for cls in OPTIMIZERS.values() for n in cls.settings}
    assert set(LIVE_FIELDS) == {"optimizer", "lr", "l1", "l2", "max_steps", "max_epochs",
                                "target_loss", *own}
    for name in ("dataset", "hidden", "init", "seed", "batch_size", "order", "dtype"):
        assert not SETTINGS[name].live


@pytest.mark.parametrize("name,value,match", [
    ("lr", 0.0, "lr must be a positive number from 1e-07 to 1000, got 0.0"),
    ("lr", float("nan"), "lr must be a positive number"),
    ("lr", "0.1", "lr must be a positive number"),
    ("seed", 3_000_000_000, "seed must be a whole number from 0 to 2147483647"),
    ("seed", True, "seed must be a whole number"),
    ("batch_size", 0, "batch_size must be a whole number from 1 to 2147483647, or None"),
    ("hidden", (4, 0), "hidden: neurons per layer must be a whole number from 1 to 4096, got 0"),
    ("hidden", (4,) * 33, "hidden: at most 32 hidden layers"),
    ("optimizer", "magic",
     r"optimizer: unknown 'magic' \(optimizer must be one of sgd, momentum, adam\)"),
    ("test_ratio", 1.0, "test_ratio must be a number from 0 to 0.99"),
    ("l2", 1e-310, "l2 must be 0 or at least 1e-300 in size"),
    ("bias_init", "zeros", "bias_init must be a number from -10 to 10 or 'normal'"),
    ("csv_target", "y" * 1001, "csv_target must be a column name or a list of them"),
    ("description", "d" * 2001, "description must be text of at most 2000 characters"),
    ("dataset_params", (("samples", 1),), r"xor: samples must be in \[4, 100000\], got 1"),
    ("dataset_params", (("noise", 1e-320),), "xor: noise must be 0 or at least 1e-300"),
])
def test_validation_names_the_field_in_one_line(name, value, match):
    with pytest.raises(ConfigError, match=match) as info:
        PRESETS["xor"].replace(**{name: value}).validate()
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("changes,match", [
    (dict(max_steps=10, target_loss=0.1), "max_steps, target_loss: give at most one"),
    (dict(activations=("tanh", "relu")), "activations: give one per hidden layer"),
    (dict(output="sigmoid", loss="cross_entropy"), "needs a softmax output"),
    (dict(csv_path="x.csv", csv_task="binary"), "csv_path, csv_task: only with dataset csv"),
    (dict(dataset="function-surface", dataset_params=(("grid", 10), ("samples", 5))),
     "grid or samples, not both"),
])
def test_rules_between_fields(changes, match):
    with pytest.raises(ConfigError, match=match):
        PRESETS["xor"].replace(**changes).validate()


def test_equal_spellings_are_one_configuration():
    a = TrainingConfig(hidden=[4, 4], activation="relu", activations=["relu", "relu"],
                       dataset_params={"seed": 2, "noise": 0.2})
    b = TrainingConfig(hidden=(4, 4), activation="relu", dataset_params=(("noise", 0.2),
                                                                         ("seed", 2)))
    assert a == b and a.activations is None and a.dataset_params == (("noise", 0.2), ("seed", 2))
    assert TrainingConfig.from_dict(a.to_dict()) == a


def test_live_changes_decide_live_or_rebuild():
    xor = PRESETS["xor"]
    assert live_changes(xor, xor) == {}
    assert live_changes(xor, xor.replace(lr=0.5, l2=0.01)) == {"lr": 0.5, "l2": 0.01}
    assert live_changes(xor, xor.replace(max_steps=10)) == {"max_steps": 10}
    assert live_changes(xor, xor.replace(description="other")) == {}
    for rebuild in (dict(hidden=(5,)), dict(seed=1), dict(batch_size=None), dict(init="he")):
        assert live_changes(xor, xor.replace(**rebuild)) is None
    # a switched optimiser gets all of its own settings; another optimiser's are not sent
    switch = live_changes(xor, xor.replace(optimizer="adam", beta1=0.8, momentum=0.1))
    assert switch == {"optimizer": "adam", "beta1": 0.8, "beta2": 0.999, "eps": 1e-8}
    assert optimizer_settings("adam") == tuple(OPTIMIZERS["adam"].settings)


def test_trainer_configure_applies_every_live_field_in_one_call():
    exp = build(PRESETS["xor"])
    t = exp.trainer
    t.run(5)
    new = exp.config.replace(optimizer="momentum", momentum=0.5, lr=0.05, l1=0.001, l2=0.01,
                             max_epochs=3.0)
    t.configure(**live_changes(exp.config, new))
    opt = t.optimizer
    assert (opt.name, opt.momentum, opt.lr, opt.l1, opt.l2) == ("momentum", 0.5, 0.05, 0.001,
                                                                 0.01)
    assert (t.max_steps, t.max_epochs, t.target_loss) == (None, 3.0, None)
    t.configure(momentum=0.7, lr=0.02)  # same optimiser: its state is kept
    assert t.optimizer is opt and (opt.momentum, opt.lr) == (0.7, 0.02)
    with pytest.raises(ConfigError, match="momentum has no setting"):
        t.configure(beta1=0.5)
    with pytest.raises(ConfigError, match="unknown optimizer"):
        t.configure(optimizer="magic")
    with pytest.raises(ConfigError, match="learning rate"):
        t.configure(lr=-1.0)
    with pytest.raises(ConfigError, match="momentum must be a number in"):
        t.configure(momentum=1.5)
    with pytest.raises(ConfigError, match="max_epochs must be a positive number"):
        t.configure(max_epochs=float("nan"))
    assert (opt.momentum, opt.lr, t.max_epochs) == (0.7, 0.02, 3.0)  # nothing half-applied


def test_configure_then_run_equals_a_run_built_with_those_settings():
    """Changing live fields between runs gives the numbers a run built with them would."""
    a, b = build(PRESETS["spiral"]), build(PRESETS["spiral"].replace(lr=0.02, l2=0.001))
    a.trainer.configure(lr=0.02, l2=0.001)
    a.trainer.run(30)
    b.trainer.run(30)
    for p, q in zip(a.net.get_params(), b.net.get_params()):
        np.testing.assert_array_equal(p, q)


def test_every_cli_flag_comes_from_the_table(capsys):
    parser = cli._train_parser()
    flags = {a.dest for a in parser._actions}
    assert set(cli_flags.CONFIG_FLAGS) <= flags
    for name in cli_flags.CONFIG_FLAGS:
        action = next(a for a in parser._actions if a.dest == name)
        assert SETTINGS[name].help in action.help.replace("%%", "%")
    args = parser.parse_args(["--preset", "xor", "--optimizer", "momentum", "--momentum",
                              "0.5", "--l2", "0.01", "--bias-init", "normal", "--legacy-rng",
                              "--batch-size", "full", "--output", "auto", "--hidden", ""])
    config = cli_flags.config_from_args(args)
    assert (config.optimizer, config.momentum, config.l2, config.bias_init, config.legacy_rng,
            config.batch_size, config.output, config.hidden) == (
        "momentum", 0.5, 0.01, "normal", True, None, None, ())


@pytest.mark.parametrize("flag,name", [("--seed", "seed"), ("--batch-size", "batch_size"),
                                       ("--split-seed", "split_seed")])
def test_a_3_billion_seed_or_batch_is_refused_by_the_cli_in_validations_words(capsys, flag,
                                                                               name):
    with pytest.raises(ConfigError) as info:
        PRESETS["xor"].replace(**{name: 3_000_000_000}).validate()
    code = cli.main(["train", "--preset", "xor", flag, "3000000000", "--steps", "1"])
    err = capsys.readouterr().err
    assert code == 2 and err == f"nnviz: {flag}: {info.value}\n"
