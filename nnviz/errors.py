"""The project's exception types: every user-facing error is one line saying what and where."""


class NNVizError(Exception):
    """Base of every error nnviz reports to a person (one line, no traceback shown)."""


class ConfigError(NNVizError, ValueError):
    """An invalid setting: unknown activation, impossible architecture, bad learning rate..."""


class DataError(NNVizError, ValueError):
    """A dataset or CSV file that cannot be used; the message names file, line and column."""


class SessionFileError(NNVizError, ValueError):
    """A session or weights file that cannot be read safely."""


#: longest message a person is shown on one line (characters)
MAX_MESSAGE_CHARS = 600


def printable(text: str) -> str:
    """``text`` safe for a terminal: control and format characters (ESC, CR, LF, bidi
    overrides...) written as escapes (``\\x1b``, ``\\n``, ``\\u202e``), everything else kept."""
    out = []
    for ch in str(text):
        if ch.isprintable() or ch == " ":
            out.append(ch)
        else:
            out.append(repr(ch)[1:-1] if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}")
    return "".join(out)


def one_line(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``text`` as one printable line of at most ``limit`` characters (the middle cut out)."""
    text = printable(text)
    if len(text) <= limit:
        return text
    keep = (limit - 5) // 2
    return f"{text[:keep]} ... {text[-keep:]}"
