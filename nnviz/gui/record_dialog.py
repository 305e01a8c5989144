"""File ▸ Export recording…: the dialog (where, the whole window or one panel, frame rate, size,
frames) and the export it starts, with a cancellable progress dialog.

``export_recording(window, path, ...)`` starts a ``RecordingExport`` of the window's timeline
recording (scripts and tests call it directly); ``ask_export_recording(window)`` is the menu's
handler. Errors are one line: in the dialog for a bad path, in an error box for a failed
export; the status bar says where the file went.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QWidget,
)

from nnviz.animation import MAX_FPS, MIN_FPS, check_animation_path, check_fps, open_writer
from nnviz.errors import NNVizError, one_line
from nnviz.gui.record_export import (
    DEFAULT_FPS,
    DEFAULT_FRAMES,
    MAX_FRAMES,
    RecordingExport,
    WindowFrames,
)

#: sizes offered, as fractions of the window's (or panel's) own
SCALES = (("100%", 1.0), ("75%", 0.75), ("50%", 0.5), ("33%", 1 / 3))


def export_recording(window, path, key: str | None = None, fps: float = DEFAULT_FPS,
                     scale: float = 1.0, frames: int = MAX_FRAMES) -> RecordingExport:
    """Start writing ``window``'s recording to ``path`` (.gif/.mp4) at ``fps``: the whole
    window or panel ``key``, ``scale`` of its size, at most ``frames`` moments. Returns the
    running export (its ``finished(ok, message)`` tells); NNVizError (one line) if it cannot
    start."""
    recording = window.timeline.recording
    moments = recording.export_frames(frames)
    if len(moments) < 2:
        raise NNVizError("nothing to animate yet: train a little first (the recording has "
                         f"{len(moments)} moment{'s' if len(moments) != 1 else ''})")
    writer = open_writer(path, fps)
    target = WindowFrames(window, key, scale)
    export = RecordingExport(moments, recording.run, target, writer, parent=window)
    window.record_export = export
    export.start()
    return export


def ask_export_recording(window) -> RecordingExport | None:
    """The menu's handler: the dialog, then the export under a progress dialog."""
    recording = window.timeline.recording
    dialog = ExportRecordingDialog(window, len(recording.export_frames()))
    if dialog.exec() != QDialog.Accepted:
        return None
    choice = dialog.choice()
    try:
        export = export_recording(window, **choice)
    except NNVizError as exc:
        window.show_error("Cannot export the recording", one_line(str(exc)))
        return None
    progress = QProgressDialog("Rendering the recording…", "Cancel", 0,
                               len(export.moments), window)
    progress.setWindowTitle("Export recording")
    progress.setWindowModality(Qt.WindowModal)
    progress.setMinimumDuration(0)
    progress.setAutoClose(False)
    progress.setAutoReset(False)
    progress.canceled.connect(export.cancel)

    def on_progress(done: int, total: int) -> None:
        progress.setValue(done)
        progress.setLabelText(f"Rendering frame {done} of {total}…" if done < total
                              else "Encoding…")

    def on_finished(ok: bool, message: str) -> None:
        progress.canceled.disconnect(export.cancel)
        progress.close()
        progress.deleteLater()
        window.statusBar().showMessage(message, 10000)
        if not ok and "cancelled" not in message:
            window.show_error("Cannot export the recording", message)

    export.progressed.connect(on_progress)
    export.finished.connect(on_finished)
    return export


class ExportRecordingDialog(QDialog):
    """Where, what, how fast, how big: ``choice()`` gives ``export_recording``'s arguments."""

    def __init__(self, window, moments: int):
        super().__init__(window)
        self.setWindowTitle("Export recording")
        self.path = QLineEdit("nnviz.gif")
        self.path.setToolTip(".gif (any viewer), or .mp4 with ffmpeg installed")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._on_browse)
        where = QWidget()
        row = QHBoxLayout(where)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        self.target = QComboBox()
        self.target.addItem("Whole window", None)
        for key in window.panels:
            self.target.addItem(f"Panel: {window.docks[key].property('fullTitle') or key}", key)
        self.fps = QSpinBox()
        self.fps.setRange(int(MIN_FPS), int(MAX_FPS))
        self.fps.setValue(int(DEFAULT_FPS))
        self.fps.setSuffix(" frames/s")
        self.scale = QComboBox()
        for text, value in SCALES:
            self.scale.addItem(text, value)
        self.frames = QSpinBox()
        self.frames.setRange(2, max(2, min(MAX_FRAMES, moments)))
        self.frames.setValue(min(DEFAULT_FRAMES, self.frames.maximum()))
        self.frames.setToolTip(f"moments of the recording to show, evenly chosen ({moments} "
                               f"recorded; at most {MAX_FRAMES})")
        self.length = QLabel()
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #b00020")
        self.problem.setWordWrap(True)
        for box in (self.fps, self.frames):
            box.valueChanged.connect(self._show_length)
        form = QFormLayout(self)
        form.addRow("File", where)
        form.addRow("Show", self.target)
        form.addRow("Frame rate", self.fps)
        form.addRow("Size", self.scale)
        form.addRow("Frames", self.frames)
        form.addRow("", self.length)
        form.addRow(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("Export")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self._show_length()

    def choice(self) -> dict:
        return {"path": self.path.text().strip(), "key": self.target.currentData(),
                "fps": float(self.fps.value()), "scale": float(self.scale.currentData()),
                "frames": self.frames.value()}

    def accept(self) -> None:
        """Only a path an animation can be written to (else one line, the dialog stays)."""
        try:
            check_animation_path(self.path.text().strip())
            check_fps(self.fps.value())
        except NNVizError as exc:
            self.problem.setText(one_line(str(exc)))
            return
        super().accept()

    def _show_length(self) -> None:
        self.length.setText(f"{self.frames.value() / self.fps.value():.1f} s")

    def _on_browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export recording", self.path.text(),
                                              "Animated GIF (*.gif);;MP4 video (*.mp4)")
        if path:
            self.path.setText(path)
