"""The CSV import dialog: see a file's first rows and what each column holds, choose the target
column(s), the feature columns and the task; OK only for a choice the whole file satisfies.

What it shows and checks comes from ``nnviz.data.csvload`` (``preview_csv``,
``CsvPreview.choose``, ``load_csv``), so the dialog, ``nnviz train`` and a reopened session give
the same one-line messages. OK reads the whole file (``load_csv``); a problem found there keeps
the dialog open with the message, and ``dataset`` holds the result once accepted. The window
asks whether to discard its run only after that.
"""

from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nnviz.data import Dataset, load_csv
from nnviz.data.csvload import CsvChoice, CsvPreview, preview_csv
from nnviz.errors import NNVizError

#: (task given to load_csv, button text, tooltip)
TASKS = (
    (None, "Automatic", "classes when the target is text, or whole numbers with at most 10 "
                        "distinct values; otherwise regression"),
    ("regression", "Regression", "predict the number(s) in the target column(s)"),
    ("classification", "Classification", "predict which class (distinct value) a row has"),
)
TARGET_COLOUR = QColor("#fde3c4")
FEATURE_COLOUR = QColor("#dcebf8")
UNUSED_COLOUR = QColor("#9a9a9a")
ROLE_COLUMNS = ("Column", "Holds", "Target", "Feature")


def _centred(box: QCheckBox) -> QWidget:
    holder = QWidget()
    row = QHBoxLayout(holder)
    row.setContentsMargins(0, 0, 0, 0)
    row.addWidget(box, 0, Qt.AlignCenter)
    return holder


def describe(choice: CsvChoice) -> str:
    """One line saying what will be learned, e.g. "Classification: 'species' into 3 classes
    (setosa, versicolor, virginica) from 4 features"."""
    n = len(choice.features)
    source = f"from {n} feature{'s' if n != 1 else ''}"
    if choice.task == "regression":
        if len(choice.targets) == 1:
            return f"Regression: predict {choice.targets[0]!r} {source}"
        return f"Regression: predict {len(choice.targets)} targets " \
               f"({', '.join(choice.targets)}) {source}"
    k = len(choice.class_names)
    shown = ", ".join(choice.class_names[:5]) + (", ..." if k > 5 else "")
    return f"Classification: {choice.targets[0]!r} into {k} classes ({shown}) {source}"


class CsvDialog(QDialog):
    """Preview ``path`` and choose what to learn from it.

    target / features / task: the choice to start from, as ``load_csv`` takes them (None: the
    last column against every other one, task inferred); a choice naming columns the file does
    not have falls back to that default. After ``exec``/``open`` ends accepted, ``dataset`` is
    the loaded Dataset and ``choice`` the checked CsvChoice.
    """

    def __init__(self, path: str | os.PathLike, target=None, features=None,
                 task: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.path = os.fspath(path)
        self.preview: CsvPreview | None = None
        self.choice: CsvChoice | None = None
        self.dataset: Dataset | None = None
        self.target_boxes: dict[str, QCheckBox] = {}
        self.feature_boxes: dict[str, QCheckBox] = {}
        self.setWindowTitle(f"Open CSV — {os.path.basename(self.path)}")
        self.setSizeGripEnabled(True)
        self._build()
        try:
            self.preview = preview_csv(self.path)
        except NNVizError as exc:
            self.info.setText(os.path.basename(self.path))
            self._show(str(exc), ok=False)
            for w in (self.table, self.roles, self.task_box, self.all_features):
                w.setEnabled(False)
            return
        self._fill(target, features, task)
        self._update()

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.info = QLabel()
        self.info.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout.addWidget(self.info)

        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.NoSelection)
        self.table.setToolTip("the first rows of the file; target columns orange, features blue")
        self.table.horizontalHeader().setDefaultAlignment(Qt.AlignLeft | Qt.AlignVCenter)
        layout.addWidget(self.table, 1)

        columns = QGroupBox("Columns: what to predict (target) and from what (features)")
        col_layout = QVBoxLayout(columns)
        self.roles = QTableWidget(0, len(ROLE_COLUMNS))
        self.roles.setHorizontalHeaderLabels(ROLE_COLUMNS)
        self.roles.verticalHeader().hide()
        self.roles.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.roles.setSelectionMode(QAbstractItemView.NoSelection)
        header = self.roles.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        header.setSectionResizeMode(1, QHeaderView.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeToContents)
        for table in (self.table, self.roles):
            rows = table.verticalHeader()
            rows.setSectionResizeMode(QHeaderView.Fixed)
            rows.setDefaultSectionSize(table.fontMetrics().height() + 8)
        col_layout.addWidget(self.roles)
        self.all_features = QPushButton("Every numeric column as a feature")
        self.all_features.setToolTip("tick Feature on every numeric column that is not a target")
        self.all_features.clicked.connect(self._on_all_features)
        col_layout.addWidget(self.all_features, 0, Qt.AlignLeft)
        layout.addWidget(columns, 1)

        self.task_box = QGroupBox("Task")
        task_row = QHBoxLayout(self.task_box)
        self.task_group = QButtonGroup(self)
        self.task_buttons: dict[str | None, QRadioButton] = {}
        for i, (task, text, tip) in enumerate(TASKS):
            button = QRadioButton(text)
            button.setToolTip(tip)
            self.task_group.addButton(button, i)
            self.task_buttons[task] = button
            task_row.addWidget(button)
        task_row.addStretch(1)
        self.task_buttons[None].setChecked(True)
        self.task_group.idToggled.connect(self._on_task_toggled)
        layout.addWidget(self.task_box)

        self.status = QLabel()
        self.status.setWordWrap(True)
        layout.addWidget(self.status)

        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.Ok)
        self.ok_button.setText("Train on it")
        self.ok_button.setToolTip("read the whole file and start a new run on it")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(760, 640)

    def _fill(self, target, features, task) -> None:
        p = self.preview
        names = p.names
        delim = {"\t": "tab"}.get(p.delimiter, repr(p.delimiter))
        rows = f"{p.n_rows:,} rows" if p.complete else f"the first {p.n_rows:,} rows checked"
        self.info.setText(f"{os.path.basename(self.path)}: {rows}, {len(names)} columns, "
                          f"delimiter {delim}; the first {len(p.rows)} rows:")
        self.table.setColumnCount(len(names))
        self.table.setRowCount(len(p.rows))
        for j, c in enumerate(p.columns):
            item = QTableWidgetItem(f"{c.name}\n{c.kind}")
            item.setToolTip(f"{c.name}: {c.summary()}")
            self.table.setHorizontalHeaderItem(j, item)
        for i, row in enumerate(p.rows):
            for j, cell in enumerate(row):
                self.table.setItem(i, j, QTableWidgetItem(cell))
        self.table.resizeColumnsToContents()
        self.table.setCurrentItem(None)

        try:  # the saved choice, if the file still has those columns
            start = p.choose(target, features, task)
        except NNVizError:
            start = None
        targets = start.targets if start else (names[-1],)
        feats = start.features if start else names[:-1]
        self.roles.setRowCount(len(names))
        for i, c in enumerate(p.columns):
            self.roles.setItem(i, 0, QTableWidgetItem(c.name))
            self.roles.setItem(i, 1, QTableWidgetItem(c.summary()))
            for col, boxes, on, tip in ((2, self.target_boxes, c.name in targets,
                                         f"predict {c.name!r}"),
                                        (3, self.feature_boxes, c.name in feats,
                                         f"give {c.name!r} to the network as an input")):
                box = QCheckBox()
                box.setChecked(on)
                box.setToolTip(tip)
                box.setAccessibleName(f"{c.name} {ROLE_COLUMNS[col].lower()}")
                box.toggled.connect(lambda checked, name=c.name, role=col:
                                    self._on_role_toggled(name, role, checked))
                boxes[c.name] = box
                self.roles.setCellWidget(i, col, _centred(box))
        self.task_buttons[task if start and task in self.task_buttons else None].setChecked(True)

    # ------------------------------------------------------------------ the choice
    def selection(self) -> tuple:
        """(target, features, task) as the widgets show them, in ``load_csv``'s terms:
        target a name, or a tuple of names when several are ticked."""
        names = self.preview.names if self.preview else ()
        targets = tuple(n for n in names if self.target_boxes[n].isChecked())
        features = tuple(n for n in names if self.feature_boxes[n].isChecked())
        task = TASKS[max(self.task_group.checkedId(), 0)][0]
        return (targets[0] if len(targets) == 1 else targets), features, task

    def config_changes(self) -> dict:
        """The TrainingConfig fields for this file and choice (after the dialog is accepted)."""
        target, features, task = self.selection()
        return {"dataset": "csv", "dataset_params": (), "csv_path": self.path,
                "csv_target": target, "csv_features": features, "csv_task": task}

    def _update(self) -> None:
        """Check the choice on the previewed rows; show what it gives or why not."""
        if self.preview is None:
            return
        target, features, task = self.selection()
        try:
            self.choice = self.preview.choose(target, features, task)
        except NNVizError as exc:
            self.choice = None
            self._show(str(exc), ok=False)
        else:
            text = describe(self.choice)
            if not self.preview.complete:
                text += f" (checked on the first {self.preview.n_rows:,} rows; OK reads the rest)"
            self._show(text, ok=True)
        self._colour_columns()

    def _show(self, text: str, ok: bool) -> None:
        shown = text.removeprefix(f"{self.path}: ")
        self.status.setText(shown)
        self.status.setToolTip(text)
        self.status.setStyleSheet("" if ok else "color: #b00020; font-weight: bold")
        self.ok_button.setEnabled(ok)

    def problem(self) -> str:
        """The message shown for a bad file or choice ("" when the choice is good)."""
        return "" if self.ok_button.isEnabled() else self.status.text()

    def _colour_columns(self) -> None:
        for j, name in enumerate(self.preview.names):
            if self.target_boxes[name].isChecked():
                brush, fg = QBrush(TARGET_COLOUR), QBrush()
            elif self.feature_boxes[name].isChecked():
                brush, fg = QBrush(FEATURE_COLOUR), QBrush()
            else:
                brush, fg = QBrush(), QBrush(UNUSED_COLOUR)
            for i in range(self.table.rowCount()):
                item = self.table.item(i, j)
                item.setBackground(brush)
                item.setForeground(fg)

    # ------------------------------------------------------------------ handlers
    def _on_role_toggled(self, name: str, role: int, checked: bool) -> None:
        if checked:  # a column is a target or a feature, not both
            other = self.feature_boxes if role == 2 else self.target_boxes
            other[name].setChecked(False)
        self._update()

    def _on_task_toggled(self, _id: int, checked: bool) -> None:
        if checked:
            self._update()

    def _on_all_features(self) -> None:
        for c in self.preview.columns:
            usable = c.kind == "numeric" and not c.bad
            if not self.target_boxes[c.name].isChecked():
                self.feature_boxes[c.name].setChecked(usable)

    def accept(self) -> None:
        """Read the whole file with the chosen columns; stay open with the message if that
        fails, so nothing else happens until the choice is good."""
        if self.choice is None:
            return
        target, features, task = self.selection()
        QApplication.setOverrideCursor(Qt.WaitCursor)  # ~5 s per million cells
        try:
            self.dataset = load_csv(self.path, target=target, features=features, task=task)
        except NNVizError as exc:
            self.dataset = None
            self._show(str(exc), ok=False)
            return
        finally:
            QApplication.restoreOverrideCursor()
        super().accept()
