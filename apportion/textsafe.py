"""Text safe for every output: one rule for what input text may carry into files and onto terminals."""
from __future__ import annotations

import os
import re

#: characters that input text never carries into an output: the C0 controls XML 1.0 forbids in every xlsx
#: part (all but tab, LF and CR), DEL and the C1 controls a terminal obeys (ESC [ 2 J clears the screen,
#: \x9b is CSI), lone surrogates and U+FFFE/U+FFFF (no UTF-8 or XML form), the bidirectional
#: overrides and isolates that reorder what a line shows, and the invisible format characters (soft hyphen,
#: zero-width space and joiners, the LRM/RLM/ALM marks, word joiner, BOM) that make two codes look the same
#: on screen while a finance system sees them differ
_INVISIBLE = "\u00ad\u061c\u200b-\u200f\u2060-\u2064\ufeff"
FORBIDDEN = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069{_INVISIBLE}]")
#: what a terminal line or ERRORS.txt shows escaped: the above, and tab, LF and CR, which would break the line
CONTROLS = re.compile(f"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069{_INVISIBLE}]")


def path_text(path: object) -> str:
    """A file name as text every output can carry: bytes of a name that is not UTF-8 (a Latin-1 ``é`` off a
    Windows zip, which Python holds as a lone surrogate) shown as ``\\xe9``, never dropped or written raw."""
    text = str(path)
    try:
        return os.fsencode(text).decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate no file name decodes to: the text's own escape
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def clean_text(text: str) -> str:
    """Text for any output format (xlsx cells, table columns, sheet, chart and defined names, document
    properties, CSV, .eml headers, file names): the :data:`FORBIDDEN` characters removed."""
    return FORBIDDEN.sub("", text)


def visible(text: object) -> str:
    """Text for a terminal or ERRORS.txt: every control character shown as its escape (ESC → ``\\x1b``),
    so a cell can neither clear the screen nor hide a line."""
    return CONTROLS.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                        else f"\\u{ord(m.group()):04x}", str(text))
