"""Sessions: save and reopen a whole run in a safe file format; export weights and history.

    from nnviz.session import save_session, load_session
    save_session("run.nnviz", experiment, pinned=[{"step": steps, "loss": losses}])
    experiment, pinned = load_session("run.nnviz")     # continues bit for bit

A session file is a zip of ``manifest.json`` and ``.npy`` arrays (no pickles, no code);
every problem reading one raises SessionFileError with one line. Never imports Qt.
"""

from nnviz.session.autosave import (
    AutosaveSlot,
    RecoveryEntry,
    autosave,
    autosave_path,
    claim_entry,
    discard_autosave,
    recovery_list,
)
from nnviz.session.export import export_history_csv, export_weights, load_weights
from nnviz.session.files import SUFFIX, load_session, save_session, session_info
from nnviz.session.interop import (
    LoadedNetwork,
    build_from_network,
    export_safetensors,
    export_torch,
    load_network,
)

__all__ = [
    "SUFFIX",
    "AutosaveSlot",
    "LoadedNetwork",
    "build_from_network",
    "export_safetensors",
    "export_torch",
    "load_network",
    "RecoveryEntry",
    "autosave",
    "autosave_path",
    "claim_entry",
    "discard_autosave",
    "export_history_csv",
    "export_weights",
    "load_session",
    "load_weights",
    "recovery_list",
    "save_session",
    "session_info",
]
