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


def _true_false(value: bool) -> str:
    return "true" if value else "false"


def _null(value) -> str:
    return "null"


# a scalar of exactly one of these types straight to its text (one dict look-up, no isinstance chain);
# anything else (a subclass, a container) through _scalar
_SCALAR_TEXT = {str: _string, int: int.__repr__, float: _float, bool: _true_false, type(None): _null}


def dumps(value, indent: int = 1, sort_keys: bool = False) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=indent, sort_keys=sort_keys)``."""
    step = " " * indent
    scalars = _SCALAR_TEXT
    labels: dict[str, str] = {}  # a str key's '"key": ', made once per dumps (a document repeats its keys)

    def label(key) -> str:
        if key.__class__ is not str:  # 1 and True are one dict key but two texts: never kept
            return _string(_key(key)) + ": "
        text = labels[key] = _string(key) + ": "
        return text

    def item_text(item, inner: str) -> str:
        convert = scalars.get(item.__class__)
        if convert is not None:
            return convert(item)
        text = _scalar(item)
        return container(item, inner) if text is None else text

    def container(value, newline: str) -> str:
        """A list, tuple or dict as text, its items on lines indented one step from ``newline``."""
        if not value:
            return "{}" if isinstance(value, dict) else "[]"
        inner = newline + step
        if isinstance(value, dict):
            items = sorted(value.items()) if sort_keys else value.items()
            get = labels.get
            parts = [(get(key) or label(key)) + item_text(item, inner)
                     for key, item in items]
            opening, closing = "{", "}"
        else:
            parts = [item_text(item, inner) for item in value]
            opening, closing = "[", "]"
        return opening + inner + ("," + inner).join(parts) + newline + closing

    text = _scalar(value)
    if text is not None:
        return text
    return container(value, "\n")
