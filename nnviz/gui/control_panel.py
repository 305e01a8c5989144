"""The training control panel: dataset, architecture, loss, optimiser, rates, stop condition.

It speaks ``TrainingConfig``: ``set_config(config)`` fills the controls, ``config()`` reads them
back (raising ConfigError with the reason). Edits that only change how the current run trains
(learning rate, optimiser settings, L1/L2, stop condition) are emitted as live signals; edits to
data or architecture emit ``structureChanged`` (after a short pause, so a run of arrow clicks
is one change) and the main window decides whether to reset.
"""

from __future__ import annotations

import os

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nnviz.data import DATASET_SPECS
from nnviz.engine.activations import ACTIVATIONS, HIDDEN_ACTIVATIONS
from nnviz.engine.initializers import INITIALIZERS
from nnviz.engine.losses import LOSSES, losses_for_output
from nnviz.engine.optimizers import OPTIMIZERS
from nnviz.engine.sampling import ORDERS
from nnviz.errors import ConfigError
from nnviz.experiment import PRESETS, TrainingConfig
from nnviz.gui.widgets import CheckedDoubleSpinBox, CheckedSpinBox, LogSpinBox

MAX_HIDDEN_LAYERS = 8
MAX_NEURONS = 512
STRUCTURE_DELAY_MS = 300
OUTPUTS = ("identity", "sigmoid", "softmax", "tanh")
STOP_KINDS = (("none", "no stop condition"), ("steps", "after steps"),
              ("epochs", "after epochs"), ("loss", "at train loss <="))
#: each activation's tooltip, as the engine's Activation states it
ACTIVATION_HELP = {name: act.help for name, act in ACTIVATIONS.items()}


def _combo(items, tooltip: str, data=None) -> QComboBox:
    box = QComboBox()
    for i, text in enumerate(items):
        box.addItem(text, text if data is None else data[i])
    box.setToolTip(tooltip)
    return box


def _select(box: QComboBox, value) -> None:
    i = box.findData(value)
    box.setCurrentIndex(max(0, i))


class LayerRow(QWidget):
    """One hidden layer: neurons and activation, with a remove button."""

    removeRequested = Signal(object)

    def __init__(self, index: int, neurons: int, activation: str, parent=None):
        super().__init__(parent)
        self.label = QLabel()
        self.neurons = CheckedSpinBox("neurons", 1, MAX_NEURONS)
        self.neurons.setValue(neurons)
        self.neurons.setToolTip("neurons in this hidden layer (1 to 512)")
        self.activation = _combo(HIDDEN_ACTIVATIONS, "activation of this layer's neurons")
        for i, name in enumerate(HIDDEN_ACTIVATIONS):
            self.activation.setItemData(i, ACTIVATION_HELP.get(name, name), Qt.ToolTipRole)
        _select(self.activation, activation)
        self.remove = QToolButton()
        self.remove.setText("✕")
        self.remove.setToolTip("remove this hidden layer")
        self.remove.clicked.connect(lambda: self.removeRequested.emit(self))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label)
        row.addWidget(self.neurons, 1)
        row.addWidget(self.activation, 2)
        row.addWidget(self.remove)
        self.set_index(index)

    def set_index(self, index: int) -> None:
        self.label.setText(f"Hidden {index + 1}")


class ArchitectureEditor(QWidget):
    """Hidden layers as rows; ``changed`` on any edit."""

    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[LayerRow] = []
        self._rows_box = QVBoxLayout()
        self._rows_box.setContentsMargins(0, 0, 0, 0)
        self._rows_box.setSpacing(4)
        self.summary = QLabel()
        self.summary.setStyleSheet("color: palette(mid)")
        self.add_button = QPushButton("+ Add hidden layer")
        self.add_button.setToolTip("add a hidden layer after the last one")
        self.add_button.clicked.connect(self._on_add)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(self._rows_box)
        box.addWidget(self.add_button)

    def set_layers(self, hidden, activations) -> None:
        for row in self.rows:
            row.deleteLater()
        self.rows = []
        for n, a in zip(hidden, activations):
            self._add_row(n, a)
        self._update()

    def layers(self) -> tuple[tuple[int, ...], tuple[str, ...]]:
        return (tuple(r.neurons.value() for r in self.rows),
                tuple(r.activation.currentData() for r in self.rows))

    def _add_row(self, neurons: int, activation: str) -> LayerRow:
        row = LayerRow(len(self.rows), neurons, activation)
        row.neurons.valueChanged.connect(self.changed)
        row.activation.currentIndexChanged.connect(self.changed)
        row.removeRequested.connect(self._on_remove)
        self.rows.append(row)
        self._rows_box.addWidget(row)
        return row

    def _update(self) -> None:
        for i, row in enumerate(self.rows):
            row.set_index(i)
        self.add_button.setEnabled(len(self.rows) < MAX_HIDDEN_LAYERS)

    def _on_add(self) -> None:
        last = self.rows[-1] if self.rows else None
        self._add_row(last.neurons.value() if last else 4,
                      last.activation.currentData() if last else "tanh")
        self._update()
        self.changed.emit()

    def _on_remove(self, row: LayerRow) -> None:
        self.rows.remove(row)
        row.deleteLater()
        self._update()
        self.changed.emit()


class ControlPanel(QScrollArea):
    """Every training setting; see the module docstring for its signals."""

    presetChosen = Signal(str)
    structureChanged = Signal()
    lrChanged = Signal(float)
    optimizerChanged = Signal(str, dict)
    regularizationChanged = Signal(float, float)
    stopChanged = Signal(object, object, object)
    openCsvRequested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._loading = False
        self._base = TrainingConfig()
        self._csv_path: str | None = None
        self._param_boxes: dict[str, QSpinBox] = {}
        self._structure_timer = QTimer(self)
        self._structure_timer.setSingleShot(True)
        self._structure_timer.setInterval(STRUCTURE_DELAY_MS)
        self._structure_timer.timeout.connect(self.structureChanged)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        body = QWidget()
        self._layout = QVBoxLayout(body)
        self._layout.setSpacing(8)
        self._build_header()
        self._build_data()
        self._build_network()
        self._build_training()
        self._layout.addStretch(1)
        self.setWidget(body)
        self.setMinimumWidth(body.minimumSizeHint().width()
                             + self.verticalScrollBar().sizeHint().width() + 6)

    # ------------------------------------------------------------------ building
    def _build_header(self) -> None:
        self.preset = _combo(list(PRESETS), "open a ready-made configuration (resets)")
        for i, cfg in enumerate(PRESETS.values()):
            self.preset.setItemData(i, cfg.description, Qt.ToolTipRole)
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

    def _checked(self, box):
        box.problem.connect(self._on_input_problem)
        return box

    def _build_data(self) -> None:
        form = self._group("Data")
        names = [*DATASET_SPECS, "csv"]
        labels = [*DATASET_SPECS, "CSV file…"]
        self.dataset = _combo(labels, "the training data (changing it resets)", data=names)
        for i, name in enumerate(names):
            tip = DATASET_SPECS[name].description if name in DATASET_SPECS else \
                "your own CSV file with a header row (File > Open CSV, or drop it on the window)"
            self.dataset.setItemData(i, tip, Qt.ToolTipRole)
        self.dataset.currentIndexChanged.connect(self._on_dataset_changed)
        form.addRow("Dataset", self.dataset)
        self.csv_label = QLabel("no file")
        self.csv_label.setToolTip("the CSV file in use")
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
        self.test_ratio = self._checked(CheckedDoubleSpinBox("test ratio", 0.0, 0.9, 2, 0.05))
        self.test_ratio.setToolTip("fraction of the rows held out to measure the test loss "
                                   "(0 = train on all)")
        form.addRow("Test ratio", self.test_ratio)
        self.split_seed = self._checked(CheckedSpinBox("split seed", 0, 2**31 - 1))
        self.split_seed.setToolTip("seed of the random train/test split")
        form.addRow("Split seed", self.split_seed)
        for w in (self.test_ratio, self.split_seed):
            w.valueChanged.connect(self._on_structure_edited)

    def _build_network(self) -> None:
        form = self._group("Network")
        self.architecture = ArchitectureEditor()
        self.architecture.changed.connect(self._on_structure_edited)
        form.addRow(self.architecture)
        self.output = _combo(["auto", *OUTPUTS], "activation of the output layer "
                             "(auto: sigmoid for two classes, softmax for more, identity "
                             "for regression)", data=[None, *OUTPUTS])
        for i, name in enumerate(OUTPUTS, 1):
            self.output.setItemData(i, ACTIVATION_HELP[name], Qt.ToolTipRole)
        self.output.currentIndexChanged.connect(self._on_output_changed)
        form.addRow("Output", self.output)
        self.loss = _combo(["auto"], "the loss; only those that suit the output are offered",
                           data=[None])
        self.loss.currentIndexChanged.connect(self._on_structure_edited)
        form.addRow("Loss", self.loss)
        self.init = _combo(list(INITIALIZERS), "how the initial weights are drawn")
        self.init.currentIndexChanged.connect(self._on_structure_edited)
        form.addRow("Initialiser", self.init)
        self.seed = self._checked(CheckedSpinBox("seed", 0, 2**31 - 1))
        self.seed.setToolTip("seed of the initial weights and the sample order: the same seed "
                             "gives the same run")
        self.seed.valueChanged.connect(self._on_structure_edited)
        form.addRow("Seed", self.seed)

    def _build_training(self) -> None:
        form = self._group("Training")
        self.optimizer = _combo(list(OPTIMIZERS), "how gradients become weight changes "
                                "(changes live, optimiser state starts afresh)")
        self.optimizer.currentIndexChanged.connect(self._on_optimizer_edited)
        form.addRow("Optimiser", self.optimizer)
        self.momentum = self._checked(CheckedDoubleSpinBox("momentum", 0.0, 0.999, 3, 0.05))
        self.beta1 = self._checked(CheckedDoubleSpinBox("beta1", 0.0, 0.9999, 4, 0.01))
        self.beta2 = self._checked(CheckedDoubleSpinBox("beta2", 0.0, 0.99999, 5, 0.001))
        self.eps = self._checked(LogSpinBox("epsilon", 1e-12, 1e-2))
        tips = {**OPTIMIZERS["momentum"].settings, **OPTIMIZERS["adam"].settings}
        for name in ("momentum", "beta1", "beta2", "eps"):
            box = getattr(self, name)
            box.setToolTip(tips[name] + " (changes live)")
            box.valueChanged.connect(self._on_optimizer_edited)
            form.addRow(name.replace("eps", "epsilon").capitalize(), box)
        self._form_training = form
        self.lr = self._checked(LogSpinBox("learning rate", 1e-6, 10.0))
        self.lr.setToolTip("learning rate: the arrows step 1, 2, 5, 10...; type any value "
                           "(changes live, without a reset)")
        self.lr.valueChanged.connect(self._on_lr_edited)
        form.addRow("Learning rate", self.lr)
        self.batch = self._checked(CheckedSpinBox("batch size", 0, 100_000))
        self.batch.setSpecialValueText("full batch")
        self.batch.setToolTip("samples per step: 1 = one sample at a time (the tutorial's SGD), "
                              "'full batch' (0) = all training samples")
        self.batch.valueChanged.connect(self._on_structure_edited)
        form.addRow("Batch size", self.batch)
        self.order = _combo(list(ORDERS), "how samples are drawn: random (with replacement), "
                            "shuffled each epoch, or in order")
        self.order.currentIndexChanged.connect(self._on_structure_edited)
        form.addRow("Sample order", self.order)
        self.l1 = self._checked(CheckedDoubleSpinBox("L1", 0.0, 1.0, 6, 0.0001))
        self.l1.setToolTip("L1 penalty on the weights, l1 · Σ|w| (changes live)")
        self.l2 = self._checked(CheckedDoubleSpinBox("L2", 0.0, 1.0, 6, 0.0001))
        self.l2.setToolTip("L2 penalty on the weights, l2/2 · Σw² (changes live)")
        for box in (self.l1, self.l2):
            box.valueChanged.connect(self._on_regularization_edited)
        reg = QHBoxLayout()
        reg.addWidget(QLabel("L1"))
        reg.addWidget(self.l1, 1)
        reg.addWidget(QLabel("L2"))
        reg.addWidget(self.l2, 1)
        form.addRow("Penalty", reg)
        self.stop_kind = _combo([t for _, t in STOP_KINDS], "when training pauses by itself "
                                "(changes live)", data=[k for k, _ in STOP_KINDS])
        self.stop_value = self._checked(CheckedDoubleSpinBox("stop value", 0.0, 1e9, 4, 1.0))
        self.stop_value.setToolTip("the number of steps, epochs, or the target train loss")
        self.stop_kind.currentIndexChanged.connect(self._on_stop_kind_changed)
        self.stop_value.valueChanged.connect(self._on_stop_edited)
        stop = QHBoxLayout()
        stop.addWidget(self.stop_kind, 2)
        stop.addWidget(self.stop_value, 1)
        form.addRow("Stop", stop)

    # ------------------------------------------------------------------ config <-> widgets
    def set_config(self, config: TrainingConfig) -> None:
        """Show ``config`` in the controls without emitting change signals."""
        self._loading = True
        try:
            self._base = config
            self._csv_path = config.csv_path
            match = [n for n, c in PRESETS.items() if c == config]
            _select(self.preset, match[0] if match else None)
            self.description.setText(config.description)
            self.description.setVisible(bool(config.description))
            _select(self.dataset, config.dataset)
            self._rebuild_params(config.dataset, dict(config.dataset_params))
            self.csv_label.setText(os.path.basename(config.csv_path) if config.csv_path
                                   else "no file")
            self.test_ratio.setValue(config.test_ratio)
            self.split_seed.setValue(config.split_seed)
            self.architecture.set_layers(config.hidden, config.hidden_activations())
            _select(self.output, config.output)
            self._fill_losses(config.output, config.loss)
            _select(self.init, config.init)
            self.seed.setValue(config.seed)
            _select(self.optimizer, config.optimizer)
            self.momentum.setValue(config.momentum)
            self.beta1.setValue(config.beta1)
            self.beta2.setValue(config.beta2)
            self.eps.setValue(config.eps)
            self._show_optimizer_rows(config.optimizer)
            self.lr.setValue(config.lr)
            self.batch.setValue(config.batch_size or 0)
            _select(self.order, config.order if isinstance(config.order, str) else "random")
            self.l1.setValue(config.l1)
            self.l2.setValue(config.l2)
            kind, value = "none", 0.0
            if config.max_steps is not None:
                kind, value = "steps", config.max_steps
            elif config.max_epochs is not None:
                kind, value = "epochs", config.max_epochs
            elif config.target_loss is not None:
                kind, value = "loss", config.target_loss
            _select(self.stop_kind, kind)
            self._set_stop_range(kind)
            self.stop_value.setValue(value)
            self.show_problem("")
        finally:
            self._loading = False
        self._structure_timer.stop()

    def config(self) -> TrainingConfig:
        """The configuration the controls show; ConfigError (one line) if unusable."""
        dataset = self.dataset.currentData()
        hidden, acts = self.architecture.layers()
        params = ()
        if dataset in DATASET_SPECS:
            defaults = DATASET_SPECS[dataset].defaults()
            explicit = dict(self._base.dataset_params) if dataset == self._base.dataset else {}
            values = {k: box.value() for k, box in self._param_boxes.items()}
            if dataset == "function-surface" and values.get("samples"):
                explicit.pop("grid", None)  # random samples replace the grid
                defaults = {**defaults, "grid": values["grid"]}
            params = tuple(sorted((k, v) for k, v in values.items()
                                  if v != defaults[k] or k in explicit))
        if dataset == "csv" and not self._csv_path:
            raise ConfigError("dataset: choose a CSV file first (File > Open CSV…)")
        base = self._base
        same_source = dataset == base.dataset and self._csv_path == base.csv_path
        config = base.replace(
            dataset=dataset,
            dataset_params=params,
            csv_path=self._csv_path if dataset == "csv" else None,
            csv_target=base.csv_target if same_source else None,
            csv_features=base.csv_features if same_source else None,
            csv_task=base.csv_task if same_source else None,
            test_ratio=round(self.test_ratio.value(), 6),
            split_seed=self.split_seed.value(),
            hidden=hidden,
            activation=acts[0] if acts else base.activation,
            activations=None if len(set(acts)) <= 1 else acts,
            output=self.output.currentData(),
            loss=self.loss.currentData(),
            init=self.init.currentData(),
            seed=self.seed.value(),
            optimizer=self.optimizer.currentData(),
            momentum=self.momentum.value(),
            beta1=self.beta1.value(),
            beta2=self.beta2.value(),
            eps=self.eps.value(),
            lr=self.lr.value(),
            batch_size=self.batch.value() or None,
            order=self.order.currentData(),
            l1=self.l1.value(),
            l2=self.l2.value(),
            **dict(zip(("max_steps", "max_epochs", "target_loss"), self.stop_condition())),
        )
        if config != base:
            config = config.replace(description="")
        config.validate()
        return config

    def optimizer_settings(self) -> dict:
        name = self.optimizer.currentData()
        if name == "momentum":
            return {"momentum": self.momentum.value()}
        if name == "adam":
            return {"beta1": self.beta1.value(), "beta2": self.beta2.value(),
                    "eps": self.eps.value()}
        return {}

    def stop_condition(self) -> tuple:
        """(max_steps, max_epochs, target_loss), all None but the chosen one."""
        kind, v = self.stop_kind.currentData(), self.stop_value.value()
        return (int(v) if kind == "steps" else None, v if kind == "epochs" else None,
                v if kind == "loss" else None)

    def show_problem(self, text: str) -> None:
        """Show why input was refused (empty text hides it)."""
        self.problem.setText(text)
        self.problem.setVisible(bool(text))

    def show_banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.setVisible(bool(text))

    # ------------------------------------------------------------------ helpers
    def _rebuild_params(self, dataset: str, values: dict) -> None:
        while self._params_form.rowCount():
            self._params_form.removeRow(0)
        self._param_boxes = {}
        is_csv = dataset == "csv"
        self.csv_button.setEnabled(True)
        self.csv_label.setEnabled(is_csv)
        spec = DATASET_SPECS.get(dataset)
        for p in spec.params if spec else ():
            if p.type is int:
                box = CheckedSpinBox(p.name, int(p.min), int(p.max))
            else:
                box = CheckedDoubleSpinBox(p.name, float(p.min), float(p.max), 3, 0.01)
            box.setValue(values.get(p.name, p.default))
            box.setToolTip(f"{p.help} ({p.min} to {p.max}; changing it resets)")
            box.problem.connect(self._on_input_problem)
            box.valueChanged.connect(self._on_structure_edited)
            self._params_form.addRow(p.name.capitalize(), box)
            self._param_boxes[p.name] = box

    def _fill_losses(self, output: str | None, loss: str | None) -> None:
        self.loss.blockSignals(True)
        self.loss.clear()
        self.loss.addItem("auto", None)
        self.loss.setItemData(0, "the loss that suits the task", Qt.ToolTipRole)
        if output is not None:
            for name in losses_for_output(output):
                self.loss.addItem(name, name)
                self.loss.setItemData(self.loss.count() - 1, LOSSES[name].help, Qt.ToolTipRole)
        _select(self.loss, loss)
        self.loss.blockSignals(False)

    def _show_optimizer_rows(self, name: str) -> None:
        shown = {"momentum": ("momentum",), "adam": ("beta1", "beta2", "eps")}.get(name, ())
        for attr in ("momentum", "beta1", "beta2", "eps"):
            self._form_training.setRowVisible(getattr(self, attr), attr in shown)

    def _set_stop_range(self, kind: str) -> None:
        box = self.stop_value
        box.setEnabled(kind != "none")
        if kind == "steps":
            box.setDecimals(0)
            box.setRange(1, 1e9)
            box.setSingleStep(100)
        elif kind == "epochs":
            box.setDecimals(2)
            box.setRange(0.01, 1e6)
            box.setSingleStep(10)
        else:
            box.setDecimals(6)
            box.setRange(0.0, 1e6)
            box.setSingleStep(0.01)

    # ------------------------------------------------------------------ handlers
    def _on_input_problem(self, text: str) -> None:
        self.show_problem(text)

    def _on_preset_activated(self, index: int) -> None:
        name = self.preset.itemData(index)
        if name:
            self.presetChosen.emit(name)

    def _on_structure_edited(self, *_) -> None:
        if not self._loading:
            self._structure_timer.start()

    def _on_dataset_changed(self, *_) -> None:
        if self._loading:
            return
        dataset = self.dataset.currentData()
        self._rebuild_params(dataset, {})
        if dataset == "csv" and not self._csv_path:
            self.openCsvRequested.emit()
            return
        self._on_structure_edited()

    def _on_output_changed(self, *_) -> None:
        self._fill_losses(self.output.currentData(), self.loss.currentData())
        self._on_structure_edited()

    def _on_lr_edited(self, value: float) -> None:
        if not self._loading:
            self.lrChanged.emit(value)

    def _on_optimizer_edited(self, *_) -> None:
        name = self.optimizer.currentData()
        self._show_optimizer_rows(name)
        if not self._loading:
            self.optimizerChanged.emit(name, self.optimizer_settings())

    def _on_regularization_edited(self, *_) -> None:
        if not self._loading:
            self.regularizationChanged.emit(self.l1.value(), self.l2.value())

    def _on_stop_kind_changed(self, *_) -> None:
        kind = self.stop_kind.currentData()
        self._loading = True
        self._set_stop_range(kind)
        self.stop_value.setValue({"steps": 1000, "epochs": 100, "loss": 0.01}.get(kind, 0.0))
        self._loading = False
        self._on_stop_edited()

    def _on_stop_edited(self, *_) -> None:
        if not self._loading:
            self.stopChanged.emit(*self.stop_condition())

