"""The training control panel: dataset, architecture, loss, optimiser, rates, stop condition.

It speaks ``TrainingConfig`` and keeps no copy of one: ``set_config(config)`` shows it in the
controls (refusing, never clamping, a value beyond a control's range) and ``config()`` reads
them back, exactly. Every control is made from its field's ``Setting`` (``nnviz.config``):
range, step, choices, tooltip and refusal message. An edit emits ``configEdited(config)``,
at once for a live field (learning rate, optimiser, L1/L2, stop) and after a short pause for
one that restarts the run (so a run of arrow clicks is one change); the controller decides
what the difference means (``nnviz.config.live_changes``).
"""

from __future__ import annotations

import os

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from nnviz.config import ARRAYS, CSV_FIELDS, SETTINGS, STOP_FIELDS, TrainingConfig, param_problem
from nnviz.data import DATASET_SPECS
from nnviz.data.features import DEFAULT_FEATURES
from nnviz.diagram_inputs import engineered_inputs, toggle
from nnviz.engine.losses import LOSSES, losses_for_output
from nnviz.engine.optimizers import OPTIMIZERS
from nnviz.errors import ConfigError
from nnviz.experiment import PRESETS
from nnviz.gui.architecture import ACTIVATION_HELP, ArchitectureEditor, LayerRow
from nnviz.gui.controls import Control, combo, select
from nnviz.gui.feature_checks import FeatureChecks
from nnviz.gui.widgets import CheckedDoubleSpinBox, CheckedSpinBox

__all__ = ["ArchitectureEditor", "ControlPanel", "LayerRow"]

STRUCTURE_DELAY_MS = 300
#: the stop row's choices: (kind, text, field, value when first chosen)
STOP_KINDS = (("none", "never", None, None),
              ("steps", "after steps", "max_steps", 1000),
              ("epochs", "after epochs", "max_epochs", 100.0),
              ("loss", "train loss ≤", "target_loss", 0.01))
#: every optimiser's own settings, in order: one row each, shown for the optimiser chosen
OPTIMIZER_SETTINGS = tuple(dict.fromkeys(n for cls in OPTIMIZERS.values() for n in cls.settings))
#: the fields shown by a generic control, per group (the others have their own rows)
GROUPS = {
    "Data": ("test_ratio", "split_seed", "scaling"),
    "Network": ("output", "loss", "init", "bias_init", "seed"),
    "Training": ("lr", "batch_size", "order"),
    "Details": ("dtype", "legacy_rng", "cumulative_every"),
}
#: the tooltips of a field's choices
ITEM_HELP = {"output": ACTIVATION_HELP}



class ControlPanel(QScrollArea):
    """Every training setting; see the module docstring for its signals."""

    presetChosen = Signal(str)
    configEdited = Signal(object)  # TrainingConfig
    openCsvRequested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._loading = False
        self._csv_path: str | None = None
        self._csv_choice: dict = {}  # csv_target, csv_features, csv_task of the CSV file
        self._param_boxes: dict = {}
        self._explicit: set[str] = set()  # dataset parameters given, not defaults
        self.fields: dict[str, Control] = {}
        self._structure_timer = QTimer(self)
        self._structure_timer.setSingleShot(True)
        self._structure_timer.setInterval(STRUCTURE_DELAY_MS)
        self._structure_timer.timeout.connect(self.emit_config)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        body = QWidget()
        self._layout = QVBoxLayout(body)
        self._layout.setSpacing(8)
        self._build_header()
        self._build_data(self._group("Data"))
        self._build_network(self._group("Network"))
        self._build_training(self._group("Training"))
        self._add_fields(self._group("Details"), GROUPS["Details"])
        self._layout.addStretch(1)
        self.setWidget(body)
        self.setMinimumWidth(body.minimumSizeHint().width()
                             + self.verticalScrollBar().sizeHint().width() + 6)

    # ------------------------------------------------------------------ building
    def _build_header(self) -> None:
        self.preset = combo(list(PRESETS), "open a ready-made configuration (resets)",
                            item_help={n: c.description for n, c in PRESETS.items()})
        self.preset.insertItem(0, "(custom)", None)
        self.preset.activated.connect(self._on_preset_activated)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.description.setStyleSheet("color: palette(dark); font-style: italic")
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setObjectName("banner")
        self.banner.setStyleSheet("QLabel#banner { background: #fff3cd; color: #664d03; "
                                  "border: 1px solid #e0c060; border-radius: 4px; padding: 6px }")
        self.banner.hide()
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b00020; font-weight: bold")
        self.problem.hide()
        row = QHBoxLayout()
        row.addWidget(QLabel("Preset"))
        row.addWidget(self.preset, 1)
        self._layout.addLayout(row)
        self._layout.addWidget(self.description)
        self._layout.addWidget(self.banner)
        self._layout.addWidget(self.problem)

    def _group(self, title: str) -> QFormLayout:
        group = QGroupBox(title)
        form = QFormLayout(group)
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignRight | Qt.AlignVCenter)
        self._layout.addWidget(group)
        return form

    def _field(self, name: str, item_help: dict | None = None, connect: bool = True) -> Control:
        """The control of field ``name``; ``connect``: a live field's edit is emitted at once,
        another's after ``STRUCTURE_DELAY_MS``."""
        control = Control(SETTINGS[name], item_help=item_help)
        if connect:
            control.changed.connect(self.emit_config if control.setting.live
                                    else self._on_structure_edited)
        if control.problem is not None:
            control.problem.connect(self.show_problem)
        self.fields[name] = control
        return control

    def _add_fields(self, form: QFormLayout, names) -> None:
        for name in names:
            form.addRow(SETTINGS[name].label, self._field(name, ITEM_HELP.get(name)).widget)

    def _build_data(self, form: QFormLayout) -> None:
        names = SETTINGS["dataset"].choices
        tips = {n: s.description for n, s in DATASET_SPECS.items()}
        tips["csv"] = ("your own CSV file with a header row (File > Open CSV, or drop it on "
                       "the window)")
        tips[ARRAYS] = ("your own arrays, handed in from Python with nnviz.show(net, X, Y) "
                        "or nnviz.watch(trainer); offered while such a run is open")
        self.dataset = self._field("dataset", item_help=tips, connect=False).widget
        self.dataset.setItemText(names.index("csv"), "CSV file…")
        self.dataset.setItemText(names.index(ARRAYS), "Your arrays (Python)")
        self.dataset.currentIndexChanged.connect(self._on_dataset_changed)
        form.addRow(SETTINGS["dataset"].label, self.dataset)
        self.csv_label = QLabel("no file")
        self.csv_label.setToolTip(SETTINGS["csv_path"].help)
        self.csv_button = QPushButton("Open CSV…")
        self.csv_button.setToolTip("load a CSV file (Ctrl+O): preview it, then choose the "
                                   "target, the features and the task")
        self.csv_button.clicked.connect(self.openCsvRequested)
        csv_row = QHBoxLayout()
        csv_row.addWidget(self.csv_label, 1)
        csv_row.addWidget(self.csv_button)
        form.addRow("File", csv_row)
        self._params_form = QFormLayout()
        self._params_form.setContentsMargins(0, 0, 0, 0)
        params = QWidget()
        params.setLayout(self._params_form)
        form.addRow(params)
        self._add_fields(form, GROUPS["Data"])
        self.test_ratio = self.fields["test_ratio"].widget
        self.split_seed = self.fields["split_seed"].widget

    def _build_network(self, form: QFormLayout) -> None:
        self.features = FeatureChecks()
        self.features.changed.connect(self._on_structure_edited)
        form.addRow("Inputs", self.features)
        self.activation = self._field("activation", ACTIVATION_HELP, connect=False).widget
        self.activation.currentIndexChanged.connect(self._on_activation_changed)
        form.addRow(SETTINGS["activation"].label, self.activation)
        self.architecture = ArchitectureEditor(self.activation)
        self.architecture.changed.connect(self._on_structure_edited)
        self.architecture.problem.connect(self.show_problem)
        form.addRow(self.architecture)
        self._add_fields(form, GROUPS["Network"])
        self.output, self.loss = self.fields["output"].widget, self.fields["loss"].widget
        self.output.currentIndexChanged.connect(self._on_output_changed)
        self.init, self.seed = self.fields["init"].widget, self.fields["seed"].widget

    def _build_training(self, form: QFormLayout) -> None:
        self._form_training = form
        self.optimizer = self._field("optimizer").widget
        self.optimizer.currentIndexChanged.connect(self._on_optimizer_changed)
        form.addRow(SETTINGS["optimizer"].label, self.optimizer)
        self._add_fields(form, OPTIMIZER_SETTINGS)
        self._add_fields(form, GROUPS["Training"])
        self.lr, self.batch = self.fields["lr"].widget, self.fields["batch_size"].widget
        self.order = self.fields["order"].widget
        reg = QHBoxLayout()
        for name in ("l1", "l2"):
            reg.addWidget(QLabel(SETTINGS[name].label))
            reg.addWidget(self._field(name).widget, 1)
        form.addRow("Penalty", reg)
        self.stop_kind = combo([t for _, t, _, _ in STOP_KINDS], "when training pauses by "
                               "itself (changes live)", data=[k for k, _, _, _ in STOP_KINDS])
        self.stop_kind.setMinimumWidth(self.stop_kind.sizeHint().width())  # never cut
        self.stop_stack = QStackedWidget()
        none = CheckedDoubleSpinBox("stop", 0.0, 0.0)
        none.setEnabled(False)
        self.stop_stack.addWidget(none)
        self.stop_boxes: dict[str, Control] = {}
        for _, _, name, first in STOP_KINDS[1:]:
            control = Control(SETTINGS[name], optional=False)
            control.set_value(first)
            control.changed.connect(self.emit_config)
            control.problem.connect(self.show_problem)
            self.stop_boxes[name] = control
            self.stop_stack.addWidget(control.widget)
        self.stop_kind.currentIndexChanged.connect(self._on_stop_kind_changed)
        stop = QHBoxLayout()
        stop.addWidget(self.stop_kind, 2)
        stop.addWidget(self.stop_stack, 1)
        form.addRow("Stop", stop)

    # ------------------------------------------------------------------ config <-> widgets
    def set_config(self, config: TrainingConfig) -> None:
        """Show ``config`` in the controls without emitting ``configEdited``.

        ConfigError (validation's message) for an invalid configuration, before anything
        shown changes: a value is never clamped to fit a control."""
        config.validate()
        self._loading = True
        try:
            self._csv_path = config.csv_path
            self._csv_choice = {n: getattr(config, n) for n in CSV_FIELDS[1:]}
            self.features.set_value(config.features)
            self.features.set_available(self._two_inputs(config.dataset))
            self._show_preset(config)
            self.description.setText(config.description)
            self.description.setVisible(bool(config.description))
            arrays = self.dataset.model().item(SETTINGS["dataset"].choices.index(ARRAYS))
            arrays.setEnabled(config.dataset == ARRAYS)  # (they come from Python, not here)
            select(self.dataset, config.dataset)
            self._rebuild_params(config.dataset, dict(config.dataset_params))
            self.csv_label.setText(os.path.basename(config.csv_path) if config.csv_path
                                   else "no file")
            for name, control in self.fields.items():
                if name != "loss":  # its choices follow the output's
                    control.set_value(getattr(config, name))
            self.architecture.set_layers(config.hidden, config.hidden_activations())
            self._fill_losses(config.output, config.loss)
            self._show_optimizer_rows(config.optimizer)
            kind = next((k for k, _, name, _ in STOP_KINDS[1:]
                         if getattr(config, name) is not None), "none")
            for _, _, name, _ in STOP_KINDS[1:]:
                if getattr(config, name) is not None:
                    self.stop_boxes[name].set_value(getattr(config, name))
            select(self.stop_kind, kind)
            self.stop_stack.setCurrentIndex(self.stop_kind.currentIndex())
            self.show_problem("")
        finally:
            self._loading = False
        self._structure_timer.stop()

    def config(self) -> TrainingConfig:
        """The configuration the controls show; ConfigError (one line) if unusable."""
        dataset = self.dataset.currentData()
        if dataset == "csv" and not self._csv_path:
            raise ConfigError("dataset: choose a CSV file first (File > Open CSV…)")
        hidden, acts = self.architecture.layers()
        csv = dataset == "csv"
        config = TrainingConfig(
            **{name: control.value() for name, control in self.fields.items()},
            dataset_params=self._params(dataset),
            csv_path=self._csv_path if csv else None,
            **{n: v if csv else None for n, v in self._csv_choice.items()},
            features=self.features.value(),
            hidden=hidden,
            activations=acts,
            **dict(zip(STOP_FIELDS, self.stop_condition())),
            description=self.description.text(),
        )
        config.validate()
        return config

    def emit_config(self, *_) -> None:
        """Read the controls and emit ``configEdited`` (or show why they are unusable). A live
        edit made while a structure edit waits joins it (one change, after the pause)."""
        if self._loading:
            return
        if self._structure_timer.isActive():
            self._structure_timer.start()
            return
        try:
            config = self.config()
        except ConfigError as exc:
            self.show_problem(str(exc))
            return
        self.show_problem("")
        name = self._show_preset(config)
        text = PRESETS[name].description if name else ""
        if text != config.description:
            self.description.setText(text)
            self.description.setVisible(bool(text))
            config = config.replace(description=text)
        self.configEdited.emit(config)

    def stop_condition(self) -> tuple:
        """(max_steps, max_epochs, target_loss), all None but the chosen one."""
        kind = self.stop_kind.currentData()
        return tuple(self.stop_boxes[name].value() if k == kind else None
                     for k, _, name, _ in STOP_KINDS[1:])

    def show_problem(self, text: str) -> None:
        """Show why input was refused (empty text hides it)."""
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def show_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.setVisible(bool(text))

    # ------------------------------------------------------------------ helpers
    def _show_preset(self, config: TrainingConfig) -> str | None:
        name = next((n for n, c in PRESETS.items() if c == config), None)
        select(self.preset, name)  # None: "(custom)"
        return name

    def _params(self, dataset: str) -> tuple:
        """The dataset parameters given (not left at their defaults); function-surface's
        grid goes when random samples replace it."""
        if dataset not in DATASET_SPECS:
            return ()
        defaults = DATASET_SPECS[dataset].defaults()
        values = {k: box.value() for k, box in self._param_boxes.items()}
        if dataset == "function-surface" and values.get("samples"):
            values.pop("grid")
        return tuple(sorted((k, v) for k, v in values.items()
                            if v != defaults[k] or k in self._explicit))

    def _rebuild_params(self, dataset: str, values: dict) -> None:
        while self._params_form.rowCount():
            self._params_form.removeRow(0)
        self._param_boxes = {}
        self.regenerate: QPushButton | None = None  # for datasets drawn from a seed
        self._explicit = set(values)
        self.csv_label.setEnabled(dataset == "csv")
        spec = DATASET_SPECS.get(dataset)
        for p in spec.params if spec else ():
            def message(v, dataset=dataset, p=p) -> str:
                return param_problem(dataset, p.name, v)

            if p.type is int:
                box = CheckedSpinBox(p.name, int(p.min), int(p.max), message=message)
            else:
                box = CheckedDoubleSpinBox(p.name, float(p.min), float(p.max), step=0.01,
                                           message=message)
            box.set_checked(p.type(values.get(p.name, p.default)))
            box.setToolTip(f"{p.help} ({p.min} to {p.max}; changing it restarts the run)")
            box.problem.connect(self.show_problem)
            box.valueChanged.connect(lambda *_, n=p.name: self._on_param_edited(n))
            self._param_boxes[p.name] = box
            if p.name != "seed":
                self._params_form.addRow(p.name.capitalize(), box)
                continue
            self.regenerate = QPushButton("Regenerate")
            self.regenerate.setToolTip("a new sample of this dataset: the next seed "
                                       "(restarts the run)")
            self.regenerate.clicked.connect(self._on_regenerate)
            row = QHBoxLayout()
            row.addWidget(box, 1)
            row.addWidget(self.regenerate)
            self._params_form.addRow(p.name.capitalize(), row)

    def _on_regenerate(self) -> None:
        """The dataset's next seed (wrapping at its limit): a structure edit, asked first."""
        box = self._param_boxes["seed"]
        box.setValue(box.value() + 1 if box.value() < box.maximum() else box.minimum())

    def _fill_losses(self, output: str | None, loss: str | None) -> None:
        names = losses_for_output(output) if output is not None else tuple(LOSSES)
        self.loss.blockSignals(True)
        self.loss.clear()
        self.loss.addItem(SETTINGS["loss"].none_text, None)
        self.loss.setItemData(0, "the loss that suits the task", Qt.ToolTipRole)
        for name in names:
            self.loss.addItem(name, name)
            self.loss.setItemData(self.loss.count() - 1, LOSSES[name].help, Qt.ToolTipRole)
        self.loss.setCurrentIndex(max(0, self.loss.findData(loss)))
        self.loss.blockSignals(False)

    def _show_optimizer_rows(self, name: str) -> None:
        own = OPTIMIZERS[name].settings
        for setting in OPTIMIZER_SETTINGS:
            self._form_training.setRowVisible(self.fields[setting].widget, setting in own)

    # ------------------------------------------------------------------ handlers
    def _on_preset_activated(self, index: int) -> None:
        name = self.preset.itemData(index)
        if name:
            self.presetChosen.emit(name)

    _two_inputs = staticmethod(engineered_inputs)

    def toggle_input(self, field: str, name: str, chosen) -> None:
        """Turn input ``name`` on or off as a click on its check box does (the same structure
        edit, which asks before discarding progress): ``field`` "features", or
        "csv_features" for a CSV file's column (``chosen``: the inputs as the caller saw them,
        used while the file's choice is "every other column")."""
        if field == "features":
            self.features.boxes[name].toggle()  # (-> changed -> the structure edit)
            return
        try:
            new = toggle(field, self._csv_choice.get("csv_features") or chosen, name)
        except ConfigError as exc:
            self.show_problem(str(exc))
            return
        self._csv_choice["csv_features"] = new
        self._on_structure_edited()

    def _on_structure_edited(self, *_) -> None:
        if not self._loading:
            self._structure_timer.start()

    def _on_param_edited(self, name: str) -> None:
        if not self._loading:
            self._explicit.add(name)
            self._on_structure_edited()

    def _on_dataset_changed(self, *_) -> None:
        if self._loading:
            return
        dataset = self.dataset.currentData()
        self._rebuild_params(dataset, {})
        if not self._two_inputs(dataset):
            self.features.set_value(DEFAULT_FEATURES)  # engineered inputs need 2-D data
        self.features.set_available(self._two_inputs(dataset))
        if dataset == "csv" and not self._csv_path:
            self.openCsvRequested.emit()
            return
        self._on_structure_edited()

    def _on_activation_changed(self, *_) -> None:
        if not self._loading:
            self.architecture.set_all_activations(self.activation.currentData())

    def _on_output_changed(self, *_) -> None:
        if not self._loading:
            self._fill_losses(self.output.currentData(), self.loss.currentData())

    def _on_optimizer_changed(self, *_) -> None:
        self._show_optimizer_rows(self.optimizer.currentData())

    def _on_stop_kind_changed(self, index: int) -> None:
        self.stop_stack.setCurrentIndex(index)
        self.emit_config()
