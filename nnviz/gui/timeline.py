"""The timeline: a slider over the run's recording that shows a past moment in every panel.

It sits in the status bar, left of the training counters (``install_timeline``).

``Timeline`` keeps the current run's ``nnviz.recorder.Recording`` (``start`` on a new run,
``record`` on every live snapshot). Its slider has one position per recorded frame and one
more at the right end, **Live**. Moving it off the end emits ``viewChanged(snapshot)`` with
that frame (``Recording.frame``: the run's history cut at its step, ``replayed`` set); the
window hands it to the panels through the same dispatcher as live snapshots (so every panel,
present or future, shows it) and stops handing them live ones, while training goes on
underneath. Back at the end (the Live button, End, ``]`` past the last frame) it emits
``viewChanged(None)``: live again.

While live, the slider and its label follow the recording at most every REFRESH_MS (a
snapshot recorded at full speed 30 times a second moved, repainted and relabelled them each
time: about a third of the GUI thread's work per snapshot with no panel drawn); anything a
person does with the timeline (a press, a key, a wheel on the slider; ``step``,
``show_index``, ``go_live``) brings them up to date first.

Keys: with the slider focused, Left/Right (one frame), PageUp/PageDown, Home (the first
frame), End (Live); anywhere in the window the actions ``[`` and ``]`` step a frame and End
returns live (``MainWindow``).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QToolButton, QWidget

from nnviz.recorder import DEFAULT_BUDGET, Recording

#: the timeline's share of the window's width at most (the status bar's messages need the rest
#: of what the training counters leave: a toolbar tip, ~330 px at 1240 wide; at 0.42,
#: "train until the end of the current epoch" was cut)
SHARE = 0.33
#: the bar's look while it shows the past (read-only: the panels are not the run now)
PAST_STYLE = "background: #fff3cd; color: #5c4400; border-radius: 3px; padding: 1px 6px;"
LIVE_STYLE = "color: palette(dark); padding: 1px 6px;"
#: ms between two refreshes of the slider and label at most while live and recording
REFRESH_MS = 250
#: what a person does to the slider (it is brought up to date first)
INPUT_EVENTS = (QEvent.MouseButtonPress, QEvent.KeyPress, QEvent.Wheel, QEvent.ShortcutOverride)


class TimelineSlider(QSlider):
    """A horizontal slider that keeps its navigation keys while focused (the window's Left and
    Right shortcuts step training elsewhere; see ``nnviz.gui.keyboard``)."""

    OWN_KEYS = (Qt.Key_Left, Qt.Key_Right, Qt.Key_Home, Qt.Key_End, Qt.Key_PageUp,
                Qt.Key_PageDown)

    def __init__(self, parent=None):
        super().__init__(Qt.Horizontal, parent)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setPageStep(10)
        self.before_input = None  # called before a press, key or wheel is handled

    def owns(self, event) -> bool:
        """Whether this key event is one of the slider's own (no Ctrl/Shift/Alt/Meta)."""
        mods = event.modifiers() & (Qt.ShiftModifier | Qt.ControlModifier | Qt.AltModifier
                                    | Qt.MetaModifier)
        return event.key() in self.OWN_KEYS and mods == Qt.NoModifier

    def event(self, event) -> bool:
        if event.type() in INPUT_EVENTS and self.before_input is not None:
            self.before_input()
        if event.type() == QEvent.ShortcutOverride and self.owns(event):
            event.accept()  # the key goes to keyPressEvent, not to a window shortcut
            return True
        return super().event(event)


class Timeline(QWidget):
    """Label, slider and Live button over the run's recording (at most ``budget`` bytes).

    ``viewed``: the recorded frame shown (a Snapshot without history) or None (live).
    """

    viewChanged = Signal(object)  # the frame to show (a replayed Snapshot), or None: live
    actions: tuple = ()  # its window-wide actions (``install_timeline``)

    def __init__(self, parent=None, budget: int = DEFAULT_BUDGET):
        super().__init__(parent)
        self.setObjectName("timeline")
        self.budget = budget
        self.recording = Recording(budget=budget)
        self.viewed = None
        self.shown = None  # what viewChanged last handed out: the replayed frame, or None
        self._styled_past: bool | None = None
        self.label = QLabel()
        self.label.setTextFormat(Qt.PlainText)
        self.slider = TimelineSlider()
        self.slider.setToolTip("Scrub back through this run: every panel shows the recorded "
                               "moment (training goes on). Keys: Left/Right, Home, End (live); "
                               "[ and ] anywhere")
        self.slider.setMinimumWidth(120)
        self.slider.valueChanged.connect(self._on_value)
        self.slider.before_input = self.catch_up
        self._later = QTimer(self)  # a refresh of the slider and label held back (REFRESH_MS)
        self._later.setSingleShot(True)
        self._later.timeout.connect(self.catch_up)
        self._stale = False
        self.live_button = QToolButton()
        self.live_button.setText("Live ▸")
        self.live_button.setToolTip("back to the run as it trains now (End)")
        self.live_button.clicked.connect(self.go_live)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.setSpacing(6)
        layout.addWidget(self.label)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.live_button)
        self._refresh()

    # ------------------------------------------------------------------ state
    @property
    def viewing(self) -> bool:
        """A recorded frame is shown, not the live run."""
        return self.viewed is not None

    # ------------------------------------------------------------------ the run
    def start(self, run, generation: int) -> None:
        """A new run: a new, empty recording; back to live."""
        self.adopt(Recording(run, generation, self.budget))

    def adopt(self, recording: Recording) -> None:
        """Scrub ``recording`` from now on (``nnviz train --record`` renders through it)."""
        was_viewing = self.viewing
        self.recording, self.viewed, self.shown = recording, None, None
        self._refresh()
        if was_viewing:
            self.viewChanged.emit(None)

    def record(self, snapshot) -> None:
        """A live snapshot: recorded if it opens a new bucket (``Recording.offer``)."""
        if snapshot.generation != self.recording.generation:
            return
        n = len(self.recording)
        if self.recording.offer(snapshot) or len(self.recording) != n:
            if self.viewed is not None:
                self._refresh()  # (the frame shown keeps its place at once)
                return
            self._stale = True
            if not self._later.isActive():
                self._later.start(REFRESH_MS)

    def catch_up(self) -> None:
        """Bring the slider and label up to date with the recording now (if they lag)."""
        if self._stale:
            self._refresh()

    # ------------------------------------------------------------------ moving
    def show_index(self, i: int) -> None:
        """Show frame ``i`` (clipped to the frames; past the last: live)."""
        self.catch_up()
        self.slider.setValue(max(0, min(int(i), len(self.recording))))

    def step(self, delta: int) -> None:
        """``delta`` frames later (> 0) or earlier (< 0); from live, -1 is the last frame."""
        self.catch_up()
        self.show_index(self.slider.value() + delta)

    def go_live(self) -> None:
        self.catch_up()
        self.slider.setValue(self.slider.maximum())

    def follow_width(self, window) -> None:
        """Keep this at most SHARE of ``window``'s width (a MainWindow: its ``resized``)."""
        window.resized.connect(self._fit_width)
        self._fit_width(window.size())

    def _fit_width(self, size) -> None:
        self.setMaximumWidth(max(280, int(SHARE * size.width())))

    # ------------------------------------------------------------------ internals
    def _on_value(self, value: int) -> None:
        frames = self.recording.frames
        if value >= len(frames):
            if self.viewed is None:
                return
            self.viewed = self.shown = None
            self._show_label()
            self.viewChanged.emit(None)
            return
        if self.viewed is frames[value]:
            return
        self.viewed, self.shown = frames[value], self.recording.frame(value)
        self._show_label()
        self.viewChanged.emit(self.shown)

    def _refresh(self) -> None:
        """Slider range and position after the frames changed (no viewChanged: the frame
        shown stays, wherever thinning moved it)."""
        self._stale = False
        n = len(self.recording)
        self.slider.blockSignals(True)
        self.slider.setMaximum(n)
        if self.viewed is None:
            self.slider.setValue(n)
        else:  # the frame shown stays (held here even if thinning dropped it)
            self.slider.setValue(max(self.recording.index_at(self.viewed.step), 0))
        self.slider.blockSignals(False)
        self.slider.setEnabled(n > 0)
        self._show_label()

    def _show_label(self) -> None:
        rec, past = self.recording, self.viewed is not None
        if past != self._styled_past:  # (a style sheet set anew re-polishes the label: once)
            self._styled_past = past
            self.label.setStyleSheet(PAST_STYLE if past else LIVE_STYLE)
            self.live_button.setEnabled(past)
        if not past:
            if self.label.text() != "● Live":
                self.label.setText("● Live")
            self.label.setToolTip(f"{len(rec):,} moments of this run recorded "
                                  f"(one every {rec.gap:,} steps, "
                                  f"{rec.nbytes / 2**20:.0f} MB); drag the slider to look back")
        else:
            self.label.setText(f"Viewing step {self.viewed.step:,} (past)")
            self.label.setToolTip("every panel shows this recorded moment, read-only, while "
                                  "training goes on (the counters at the right); Live ▸ (End) "
                                  "returns to the run now")


def install_timeline(window) -> Timeline:
    """The timeline in the status bar of ``window`` (a MainWindow: ``dispatcher``,
    ``controller``) and its window-wide actions ``timeline.actions`` (``[`` a frame back, ``]``
    a frame on, End live). A chosen frame goes to the panels through ``dispatcher.hold``; a
    recording of another run (``nnviz train --record``) gives them its RunInfo first."""
    from nnviz.gui.window_menus import make_action

    timeline = Timeline(window)
    # in the status bar, left of the training counters: no row of its own (1280x720 has none
    # to spare); at most SHARE of the window's width, the room left of it for status messages
    window.statusBar().addPermanentWidget(timeline, 1)
    timeline.follow_width(window)

    def on_view(snapshot) -> None:
        present(window, snapshot, timeline.recording.run)

    timeline.viewChanged.connect(on_view)
    timeline.actions = (
        make_action(window, "Timeline: frame back", "[", "show the recorded moment before "
                    "this one in every panel (from live: the last recorded)",
                    lambda: timeline.step(-1)),
        make_action(window, "Timeline: frame on", "]", "show the next recorded moment (past "
                    "the last: live)", lambda: timeline.step(1)),
        make_action(window, "Timeline: live", "End", "back to the run as it trains now",
                    timeline.go_live),
    )
    return timeline


def present(window, snapshot, run=None) -> None:
    """Have ``window``'s panels show ``snapshot`` (a recorded one, of ``run``: its RunInfo,
    given to them first if they have another) or, for None, the live run again."""
    dispatcher, controller = window.dispatcher, window.controller
    run = controller.run if snapshot is None else run
    if run is not None and dispatcher.run is not run:
        dispatcher.set_run(run)
        if snapshot is None and controller.snapshot is not None:
            dispatcher.dispatch(controller.snapshot)
    dispatcher.hold(snapshot)
