"""The project's exception types: every user-facing error is one line saying what and where."""


class NNVizError(Exception):
    """Base of every error nnviz reports to a person (one line, no traceback shown)."""


class ConfigError(NNVizError, ValueError):
    """An invalid setting: unknown activation, impossible architecture, bad learning rate..."""


class DataError(NNVizError, ValueError):
    """A dataset or CSV file that cannot be used; the message names file, line and column."""


class SessionFileError(NNVizError, ValueError):
    """A session or weights file that cannot be read safely."""
