"""The control panel and the configuration table: what the panel is given it gives back exactly,
a value beyond a control's range is refused in validation's words (never clamped), and a run
with values beyond the old controls' ranges opens, trains and saves again unchanged."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnviz import session
from nnviz.config import (
    ARRAYS,
    CSV_FIELDS,
    MIN_MAGNITUDE,
    SETTINGS,
    STOP_FIELDS,
    TrainingConfig,
)
from nnviz.data import DATASET_SPECS
from nnviz.data.features import FEATURES
from nnviz.engine.losses import losses_for_output
from nnviz.errors import ConfigError
from nnviz.experiment import PRESETS, build
from nnviz.gui.control_panel import ControlPanel

#: the values the panel used to change (widget limits narrower than validation's)
BEYOND_OLD_WIDGETS = dict(hidden=(1000,), lr=20.0, batch_size=200_000, test_ratio=0.95, l1=2.0)


def floats(lo, hi):
    """Doubles a control keeps exactly: 0 or at least MIN_MAGNITUDE in size."""
    return st.floats(lo, hi).filter(lambda v: v == 0 or abs(v) >= MIN_MAGNITUDE)


FEATURE_NAMES = tuple(FEATURES)
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


def values(name: str):
    """Any value the table accepts for the scalar field ``name``."""
    s = SETTINGS[name]
    if s.kind == "int":
        strategy = st.integers(int(s.min), int(s.max))
    elif s.kind in ("float", "rate"):
        strategy = floats(s.min, s.max)
    elif s.kind == "bias":
        strategy = st.one_of(st.just("normal"), floats(s.min, s.max))
    elif s.kind == "choice":
        strategy = st.sampled_from(s.choices)
    elif s.kind == "flag":
        strategy = st.booleans()
    else:
        raise AssertionError(f"no strategy for {name}")
    return st.one_of(st.none(), strategy) if s.optional else strategy


@st.composite
def configs(draw):
    """Random valid configurations, every field drawn from its Setting."""
    own = {"dataset", "dataset_params", *CSV_FIELDS, "features", "hidden", "activations",
           "loss", "description", *STOP_FIELDS}
    fields = {name: draw(values(name)) for name in SETTINGS if name not in own}
    dataset = draw(values("dataset"))
    if dataset == ARRAYS:  # a person's arrays (nnviz.show): no parameters, their columns
        pass
    elif dataset == "csv":
        name = TEXT.filter(bool)
        columns = st.lists(name, min_size=1, max_size=3).map(tuple)
        fields.update(csv_path=draw(name), csv_target=draw(st.none() | name | columns),
                      csv_features=draw(st.none() | columns), csv_task=draw(values("csv_task")))
    else:
        params = {}
        for p in DATASET_SPECS[dataset].params:
            if draw(st.booleans()):
                lo, hi = p.min, p.max
                params[p.name] = draw(st.integers(lo, hi) if p.type is int
                                      else floats(lo, hi))
        if dataset == "function-surface" and params.get("samples"):
            params.pop("grid", None)
        fields["dataset_params"] = tuple(sorted(params.items()))
        if DATASET_SPECS[dataset].inputs(params) == 2:  # (a drawn curve has 1)
            fields["features"] = tuple(draw(st.lists(st.sampled_from(FEATURE_NAMES),
                                                     min_size=1, unique=True)))
    hidden = tuple(draw(st.lists(st.integers(1, 4096), max_size=4)))
    acts = draw(st.none() | st.tuples(*[values("activation")] * len(hidden)))
    output = fields["output"]
    loss = draw(st.none() | st.sampled_from(
        losses_for_output(output) if output else SETTINGS["loss"].choices))
    stop = draw(st.sampled_from((None, *STOP_FIELDS)))
    if stop:
        fields[stop] = draw(values(stop).filter(lambda v: v is not None))
    config = TrainingConfig(dataset=dataset, hidden=hidden, activations=acts, loss=loss,
                            description=draw(TEXT), **fields)
    config.validate()
    return config


@pytest.fixture
def panel(qtbot):
    panel = ControlPanel()
    qtbot.addWidget(panel)
    panel.edits = []
    panel.configEdited.connect(panel.edits.append)
    return panel


def test_the_panel_gives_back_exactly_what_it_was_given(panel):
    @settings(max_examples=150, deadline=None)
    @given(configs())
    def check(config):
        panel.set_config(config)
        back = panel.config()
        assert back == config
        assert back.description == config.description
        assert panel.edits == []  # showing a configuration is not an edit

    check()


@pytest.mark.parametrize("name", list(PRESETS))
def test_presets_and_the_old_widget_limits_come_back(panel, name):
    for config in (PRESETS[name], PRESETS[name].replace(**BEYOND_OLD_WIDGETS)):
        panel.set_config(config)
        assert panel.config() == config


def _number_boxes(panel):
    """(field, box, maximum) of every number control: fields, layer rows, stop values."""
    out = [(n, c.widget, SETTINGS[n].max) for n, c in panel.fields.items()
           if SETTINGS[n].kind in ("int", "float", "rate")]
    out.append(("bias_init", panel.fields["bias_init"].widget.number, SETTINGS["bias_init"].max))
    out += [(n, c.widget, SETTINGS[n].max) for n, c in panel.stop_boxes.items()]
    out.append(("hidden", panel.architecture.rows[0].neurons, SETTINGS["hidden"].max))
    return out


def _beyond(maximum):
    return int(maximum) + 1 if isinstance(maximum, int) else maximum * 10 + 1


@pytest.mark.parametrize("name", [n for n, s in SETTINGS.items()
                                  if s.kind in ("int", "float", "rate", "bias")] + ["hidden"])
def test_a_value_beyond_a_control_is_refused_in_validations_words(panel, name):
    base = PRESETS["xor"]
    panel.set_config(base)
    boxes = [(box, hi) for n, box, hi in _number_boxes(panel) if n == name]
    assert boxes, f"{name} has no control"
    for box, hi in boxes:
        value = _beyond(hi)
        bad = base.replace(**{name: (value,) if name == "hidden" else value})
        if name in STOP_FIELDS:
            bad = bad.replace(**{f: None for f in STOP_FIELDS if f != name})
        with pytest.raises(ConfigError) as info:
            bad.validate()
        # typed into the control: refused, with validation's message
        result = box.validate(str(value), len(str(value)))
        state = result[0] if isinstance(result, tuple) else result
        assert state.name != "Acceptable"
        assert panel.problem.text() == str(info.value)
        # given by a configuration: refused with the same message, nothing shown changes
        with pytest.raises(ConfigError) as shown:
            panel.set_config(bad)
        assert str(shown.value) == str(info.value)
        assert panel.config() == base


def test_a_3_billion_seed_or_batch_is_refused_the_same_everywhere(panel):
    panel.set_config(PRESETS["xor"])
    for name in ("seed", "split_seed", "batch_size", "cumulative_every", "max_steps"):
        bad = PRESETS["xor"].replace(**{name: 3_000_000_000})
        with pytest.raises(ConfigError) as info:
            bad.validate()
        assert info.value.args[0].startswith(name)
        with pytest.raises(ConfigError) as again:
            TrainingConfig.from_dict(bad.to_dict())  # a session file or the settings
        assert str(again.value) == str(info.value)
        with pytest.raises(ConfigError) as shown:
            panel.set_config(bad)
        assert str(shown.value) == str(info.value)


def test_one_signal_live_edits_at_once_structure_edits_after_a_pause(panel, qtbot):
    panel.set_config(PRESETS["spiral"])
    panel.lr.setValue(0.02)
    assert [c.lr for c in panel.edits] == [0.02]
    panel.fields["beta1"].widget.setValue(0.8)
    assert panel.edits[-1].beta1 == 0.8 and len(panel.edits) == 2
    panel.seed.setValue(5)
    panel.seed.setValue(6)
    panel.lr.setValue(0.05)  # joins the structure edit waiting
    assert len(panel.edits) == 2
    qtbot.waitUntil(lambda: len(panel.edits) == 3, timeout=3000)
    assert (panel.edits[-1].seed, panel.edits[-1].lr) == (6, 0.05)
    assert panel.preset.currentData() is None and panel.edits[-1].description == ""


def test_optimiser_rows_follow_each_optimisers_own_settings(panel):
    from nnviz.engine.optimizers import OPTIMIZERS

    for name, cls in OPTIMIZERS.items():
        panel.set_config(PRESETS["xor"].replace(optimizer=name))
        form = panel._form_training
        shown = {n for n in ("momentum", "beta1", "beta2", "eps")
                 if form.isRowVisible(panel.fields[n].widget)}
        assert shown == set(cls.settings)
        for n in cls.settings:
            assert cls.settings[n] in panel.fields[n].widget.toolTip()


def test_a_run_beyond_the_old_widget_limits_opens_trains_and_saves_unchanged(
        make_window, qtbot, tmp_path):
    config = PRESETS["xor"].replace(description="", **BEYOND_OLD_WIDGETS)
    path = tmp_path / "wide.nnviz"
    session.save_session(path, build(config))
    w = make_window("xor")
    assert w.sessions.open_session(str(path)) and not w.errors
    assert w.controls.config() == config
    w.controller.run_steps(5)
    qtbot.waitUntil(lambda: w.controller.worker.idle.is_set()
                    and w.controller.snapshot.step == 5, timeout=10000)
    again = tmp_path / "again.nnviz"
    assert w.sessions.save_session(str(again))
    assert session.load_session(again)[0].config == config
    # one structural edit in the window keeps every other value
    w.controls.seed.setValue(7)
    qtbot.waitUntil(lambda: w.controller.config.seed == 7, timeout=3000)
    assert w.controller.config == config.replace(seed=7)
    assert w.controller.experiment.trainer.lr == 20.0


def test_the_learning_rate_reaches_the_optimiser_through_trainer_configure(make_window, qtbot,
                                                                           monkeypatch):
    from nnviz.engine.trainer import Trainer

    calls = []
    original = Trainer.configure
    monkeypatch.setattr(Trainer, "configure",
                        lambda self, **kw: (calls.append(kw), original(self, **kw)))
    w = make_window("xor")
    w.controls.lr.setValue(0.3)
    trainer = w.controller.experiment.trainer
    qtbot.waitUntil(lambda: trainer.optimizer.lr == 0.3, timeout=3000)
    assert calls == [{"lr": 0.3}]
    w.controls.optimizer.setCurrentIndex(w.controls.optimizer.findData("adam"))
    qtbot.waitUntil(lambda: trainer.optimizer.name == "adam", timeout=3000)
    assert calls[-1] == {"optimizer": "adam", "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    assert w.questions == [] and w.controller.snapshot.step == 0


def test_a_number_a_control_would_round_is_refused_not_rounded(panel):
    panel.set_config(PRESETS["xor"])
    box = panel.fields["l2"].widget
    state, *_ = box.validate("1e-310", 6)
    assert state.name != "Acceptable"
    with pytest.raises(ConfigError) as info:
        PRESETS["xor"].replace(l2=1e-310).validate()
    assert panel.problem.text() == str(info.value)
    assert panel.config().l2 == 0.0


def test_the_all_layers_activation_sets_every_layer(panel, qtbot):
    panel.set_config(PRESETS["spiral"].replace(activations=("tanh", "relu")))
    assert panel.config().activations == ("tanh", "relu")
    panel.activation.setCurrentIndex(panel.activation.findData("sigmoid"))
    qtbot.waitUntil(lambda: len(panel.edits) == 1, timeout=3000)
    assert (panel.edits[0].activation, panel.edits[0].activations) == ("sigmoid", None)
    panel.architecture.add_button.click()
    assert panel.config().hidden == (16, 16, 16)
