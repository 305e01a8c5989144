"""The status bar's training readout: epoch, step, samples per second and the last loss.

While training it is written at most every STATUS_INTERVAL seconds (30 writes a second were
four label updates and a relayout per snapshot, in the GUI thread's time); paused, at once.
A label is only given a text that differs from the one it shows, and its size is fixed, widened
(never narrowed) when a text needs more room: a label of a free size relaid out the status bar
and the whole main window on every new text (measured, circles mini-batch at full speed: 3-4
relayouts a second, each a dock animation object made and dropped for each of the nine docks,
which the Python event filters on the docks and the window heard of, every call a hand-off of
the GIL from the training worker). The rate is samples seen over wall time, re-measured every
RATE_WINDOW seconds.
"""

from __future__ import annotations

import time

from PySide6.QtWidgets import QLabel, QStatusBar

MIN_WIDTH = 110  # px of each label at least
WIDEN_SLACK = 12  # px given beyond a text's need when a label widens (fewer widenings)
STATUS_INTERVAL = 0.25  # s between status bar updates while training (4 a second)
RATE_WINDOW = 0.5  # s over which samples per second are measured

FIELDS = (("epoch", "epochs done (samples seen / training samples)"),
          ("step", "training steps (updates) done"),
          ("rate", "training samples per second"),
          ("loss", "loss of the last step's batch"))


class TrainingStatus:
    """Permanent labels on ``bar`` (``labels[key]`` for the keys of FIELDS)."""

    def __init__(self, bar: QStatusBar):
        self.labels: dict[str, QLabel] = {}
        for key, tip in FIELDS:
            label = QLabel()
            label.setToolTip(tip)
            label.setFixedSize(MIN_WIDTH, label.sizeHint().height())
            bar.addPermanentWidget(label)
            self.labels[key] = label
        self._rate = (time.perf_counter(), 0, 0.0)  # (since, samples seen then, rate)
        self._written = 0.0  # when the labels were last written

    def restart(self, samples_seen: int) -> None:
        """A new run: measure the rate from here."""
        self._rate = (time.perf_counter(), samples_seen, 0.0)

    def show(self, snap, running: bool) -> None:
        now = time.perf_counter()
        if running and now - self._written < STATUS_INTERVAL:
            return  # while training, 4 updates a second are all a person can read
        self._written = now
        t0, s0, rate = self._rate
        if now - t0 >= RATE_WINDOW or snap.samples_seen < s0:
            rate = max(0.0, (snap.samples_seen - s0) / (now - t0))
            self._rate = (now, snap.samples_seen, rate)
        self._write(snap, f"{rate:,.0f} samples/s")

    def show_moment(self, snap) -> None:
        """A recorded moment (an exported animation's frame): its counters, no rate."""
        self._write(snap, "recorded")
        self._written = 0.0  # the next live snapshot writes them again

    def _write(self, snap, rate: str) -> None:
        texts = {"epoch": f"epoch {snap.epoch:,.2f}", "step": f"step {snap.step:,}",
                 "rate": rate, "loss": f"loss {snap.loss:.4g}" if snap.step else "loss –"}
        for key, text in texts.items():
            label = self.labels[key]
            if label.text() != text:
                set_text(label, text)


def set_text(label: QLabel, text: str) -> None:
    """``label.setText(text)`` without a relayout of its window unless ``text`` needs more
    room than the label has: a widget of a fixed size (minimum = maximum) does not tell its
    layout that its size hint changed; the label then widens to the new text's hint (plus
    WIDEN_SLACK), once."""
    label.setText(text)
    need = label.sizeHint().width()
    if need > label.minimumWidth():
        label.setFixedWidth(need + WIDEN_SLACK)
