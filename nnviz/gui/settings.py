"""What the app remembers between sessions (QSettings): window layout and the last configuration.

``NNVIZ_SETTINGS`` (a file path) redirects everything to an INI file: tests and scripted runs
use it so they never read or write the user's settings.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths

from nnviz.errors import ConfigError
from nnviz.experiment import TrainingConfig

ENV_VAR = "NNVIZ_SETTINGS"
LAYOUT_VERSION = 1


def open_settings() -> QSettings:
    """The app's QSettings: the file named by $NNVIZ_SETTINGS, else the platform's place."""
    path = os.environ.get(ENV_VAR)
    if path:
        return QSettings(path, QSettings.IniFormat)
    return QSettings("nnviz", "nnviz")


class AppSettings:
    """Typed access to the few things nnviz stores."""

    def __init__(self, qsettings: QSettings | None = None):
        self.q = qsettings if qsettings is not None else open_settings()

    # window layout
    def save_layout(self, geometry: QByteArray, state: QByteArray) -> None:
        self.q.setValue("window/geometry", geometry)
        self.q.setValue("window/state", state)
        self.q.setValue("window/version", LAYOUT_VERSION)

    def layout(self) -> tuple[QByteArray | None, QByteArray | None]:
        if int(self.q.value("window/version", 0) or 0) != LAYOUT_VERSION:
            return None, None
        return self.q.value("window/geometry"), self.q.value("window/state")

    # the last configuration
    def save_config(self, config: TrainingConfig) -> None:
        self.q.setValue("training/config", json.dumps(config.to_dict()))

    def config(self) -> TrainingConfig | None:
        """The last configuration, or None if there is none or it no longer loads."""
        text = self.q.value("training/config")
        if not text:
            return None
        try:
            return TrainingConfig.from_dict(json.loads(text))
        except (ValueError, TypeError, ConfigError):
            return None

    def save_speed(self, speed: float | None) -> None:
        self.q.setValue("training/speed", 0 if speed is None else float(speed))

    def speed(self, default: float | None = None) -> float | None:
        """The remembered pace in steps/s (None: as fast as possible); ``default`` if none is."""
        value = self.q.value("training/speed")
        if value is None:
            return default
        try:
            v = float(value or 0)
        except (TypeError, ValueError):
            return default
        return v if v > 0 else None

    def autosave_folder(self) -> Path:
        """Where autosaves go: beside $NNVIZ_SETTINGS's file, else the app's data folder."""
        path = os.environ.get(ENV_VAR)
        if path:
            return Path(path).resolve().parent / "autosave"
        base = QStandardPaths.writableLocation(QStandardPaths.AppDataLocation)
        return Path(base or Path.home() / ".nnviz") / "autosave"

    def sync(self) -> None:
        self.q.sync()
