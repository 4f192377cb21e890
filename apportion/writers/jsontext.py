"""Indented JSON text, the same characters as ``json.dumps(obj, ensure_ascii=False, indent=N)``, faster.

The run writes indented JSON beside its workbooks (each statement's document,
mail.json, basis.json): several megabytes for a whole state. With ``indent``
set, the standard library encodes in pure Python through nested generators
(its C encoder only writes unindented JSON); this walks the same values with
one function per container and the C string encoder, about three times faster.
``tests/test_jsontext.py`` checks it against ``json.dumps`` on generated values.

A table's rows (a statement's charges: 2,500 rows a district at a million Participation rows) can be
a :class:`Rows`: a list of dicts that carries each row's text, made for a whole job's rows at once
by :func:`row_texts` (each column's values through the C string encoder in one ``map``), which
``dumps`` writes as they are where the list sits at the depth they were made for.

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


class Rows(list):
    """A list of rows (dicts) with each row's JSON text as :func:`dumps` writes it when the list's items
    are on lines starting ``inner`` (a line break and the indentation) with ``step`` more for each row's items,
    keys in the order built. At any other depth, or with ``sort_keys``, the rows are written item by item
    (the same text). Nothing may change a row after its text is made."""

    __slots__ = ("texts", "inner", "step")

    def __init__(self, rows, texts: list[str], inner: str, step: str):
        super().__init__(rows)
        self.texts, self.inner, self.step = texts, inner, step


def row_texts(keys: list[str], columns: list[list], inner: str, step: str) -> list[str]:
    """The text :func:`dumps` gives each row ``dict(zip(keys, values))`` of the rows ``zip(*columns)`` on lines
    starting ``inner`` (for :class:`Rows`): each column's values as text in one pass (one ``map`` through the
    C encoder for a column of one plain type), then each row from one template."""
    item = inner + step
    texts = []
    for values in columns:
        kinds = set(map(type, values))
        convert = _SCALAR_TEXT.get(kinds.pop()) if len(kinds) == 1 else None
        texts.append(list(map(convert, values)) if convert is not None else [_value_text(v) for v in values])
    template = "{" + item + ("," + item).join(
        (_string(_key(key)) + ": ").replace("%", "%%") + "%s" for key in keys) + inner + "}"
    return [template % row for row in zip(*texts)]


def _value_text(value) -> str:
    """A row's value as text: a scalar (a row holds no container)."""
    text = _scalar(value)
    if text is None:
        raise TypeError(f"a row holds a {value.__class__.__name__}: only scalars")
    return text


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
        if value.__class__ is Rows and value.inner == inner and value.step == step and not sort_keys:
            return "[" + inner + ("," + inner).join(value.texts) + newline + "]"
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
