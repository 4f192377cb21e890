"""Indented JSON text, the same characters as ``json.dumps(obj, ensure_ascii=False, indent=N)``, faster.

The run writes indented JSON beside its workbooks (each statement's document,
mail.json, basis.json): several megabytes for a whole state. With ``indent``
set, the standard library encodes in pure Python through nested generators
(its C encoder only writes unindented JSON); this walks the same values with
one function per container and the C string encoder, about three times faster.
``tests/test_jsontext.py`` checks it against ``json.dumps`` on generated values.

The rules are ``json.dumps``'s: ``,`` and ``: `` separators with each item on
its own line; tuples are lists; ``True``/``False``/``None`` are
``true``/``false``/``null``; ints by ``int.__repr__``; floats by
``float.__repr__`` (``NaN``, ``Infinity``); dict keys that are numbers,
booleans or None become their JSON text; any other value is a TypeError.
"""
from __future__ import annotations

from json.encoder import encode_basestring as _string

_INFINITY = float("inf")


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == _INFINITY:
        return "Infinity"
    if value == -_INFINITY:
        return "-Infinity"
    return float.__repr__(value)


def _scalar(value) -> str | None:
    """The JSON text of a value that is not a container (None for a list, tuple or dict)."""
    if isinstance(value, str):
        return _string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, (list, tuple, dict)):
        return None
    raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")


def _key(key) -> str:
    """A dict key as JSON text before quoting: text as it is; a number, boolean or None as its JSON value."""
    if isinstance(key, str):
        return key
    if isinstance(key, (int, float)) or key is None:  # bool is an int
        return _scalar(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")


def dumps(value, indent: int = 1, sort_keys: bool = False) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=indent, sort_keys=sort_keys)``."""
    step = " " * indent
    out: list[str] = []
    append = out.append

    def container(value, newline: str) -> None:
        inner = newline + step
        if isinstance(value, dict):
            items = sorted(value.items()) if sort_keys else value.items()
            entries = ((_string(_key(key)) + ": ", item) for key, item in items)
            opening, closing = "{", "}"
        else:
            entries = (("", item) for item in value)
            opening, closing = "[", "]"
        if not value:
            append(opening + closing)
            return
        append(opening)
        lead = inner
        for label, item in entries:
            append(lead + label)
            lead = "," + inner
            text = _scalar(item)
            if text is None:
                container(item, inner)
            else:
                append(text)
        append(newline + closing)

    text = _scalar(value)
    if text is not None:
        return text
    container(value, "\n")
    return "".join(out)
