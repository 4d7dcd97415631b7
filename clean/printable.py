"""Text from pages and file names made safe to print on a terminal.

A page title or a file name may carry ESC sequences (retitle the terminal, hide text, fake a prompt) or the
bidirectional overrides of "Trojan source"; what the command prints shows them as escapes instead of obeying them.
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CONTROL_OR_NEWLINE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object, *, lines: bool = True) -> str:
    """``text`` with control and direction-override characters shown as ``\\x1b``-style escapes.

    With ``lines`` newlines and tabs are kept (a summary, a log record); without, they are escaped too (one field
    of a one-line display, such as a title).
    """
    return (_CONTROL if lines else _CONTROL_OR_NEWLINE).sub(_escape, str(text))
