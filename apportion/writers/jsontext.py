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

from itertools import repeat
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
    """A list of items (a table's rows, dicts) with each item's JSON text as :func:`dumps` writes it when the
    list's items are on lines starting ``inner`` (a line break and the indentation) with ``step`` more for each
    item's own items, keys in the order built; a text of None: that item written as usual. At any other depth,
    or with ``sort_keys``, every item is written as usual (the same text). Nothing may change an item after
    its text is made."""

    __slots__ = ("texts", "inner", "step")

    def __init__(self, rows, texts: list[str | None], inner: str, step: str):
        super().__init__(rows)
        self.texts, self.inner, self.step = texts, inner, step


_CONTAINERS = {dict, list, tuple, Rows}  # written by the writer's container(), items and all


class Same:
    """A column of :func:`row_texts` holding ``value`` on every row: written into the rows' template once."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


def row_texts(keys: list[str], columns: list, inner: str, step: str) -> list[str]:
    """The text :func:`dumps` gives each row ``dict(zip(keys, values))`` of the rows ``zip(*columns)`` on lines
    starting ``inner`` (for :class:`Rows`); a column may be a :class:`Same` (one value on every row: at least
    one must not be). Each column's values as text in one pass (one ``map`` through the C encoder for a
    column of one plain type), a :class:`Same`'s once into the fixed text around the columns; then each row
    one ``str.join`` of the fixed texts and its values' (faster than a ``%`` template, which is parsed again
    for every row)."""
    item = inner + step
    pieces, fixed = [], "{"  # the fixed texts and the columns' texts in turn; the fixed text being made
    for i, (key, values) in enumerate(zip(keys, columns)):
        fixed += ("," if i else "") + item + _string(_key(key)) + ": "
        if isinstance(values, Same):
            fixed += _value_text(values.value)
            continue
        kinds = set(map(type, values))
        convert = _SCALAR_TEXT.get(kinds.pop()) if len(kinds) == 1 else None
        pieces += [repeat(fixed), list(map(convert, values)) if convert is not None else list(map(_value_text, values))]
        fixed = ""
    if not pieces:  # no listed column: how many rows is unknown (and the zip below would never end)
        raise ValueError("row_texts needs at least one column of values")
    pieces.append(repeat(fixed + inner + "}"))
    return list(map("".join, zip(*pieces)))


def _value_text(value) -> str:
    """A row's value as text: a scalar (a row holds no container)."""
    text = _scalar(value)
    if text is None:
        raise TypeError(f"a row holds a {value.__class__.__name__}: only scalars")
    return text


def dumps(value, indent: int = 1, sort_keys: bool = False, end: str = "") -> str:
    """``json.dumps(value, ensure_ascii=False, indent=indent, sort_keys=sort_keys) + end`` (a file's last line
    break joined with the rest, not copied onto it after)."""
    pieces = _writer(" " * indent, sort_keys)(value, "\n")
    pieces.append(end)
    return "".join(pieces)


def item_texts(items: list, inner: str, step: str) -> list[str]:
    """Each of ``items`` as :func:`dumps` (indent ``len(step)``) writes it as an item of a list whose items are
    on lines starting ``inner``: the texts of a :class:`Rows`."""
    text = _writer(step, False)
    return ["".join(text(item, inner)) for item in items]


def _writer(step: str, sort_keys: bool):
    """The function giving a value's text, as a list of pieces, when its line starts ``inner`` (``"\n"`` at
    the top).

    Why pieces: a statement's charges rows are most of its text (100 KB a district), and a container made as
    one string copied them again at every level it is nested in (five); pieces are joined once, at the end.
    """
    scalars = _SCALAR_TEXT
    labels: dict[str, str] = {}  # a str key's '"key": ', made once per writer (a document repeats its keys)

    def label(key) -> str:
        if key.__class__ is not str:  # 1 and True are one dict key but two texts: never kept
            return _string(_key(key)) + ": "
        text = labels[key] = _string(key) + ": "
        return text

    def write(value, inner: str, out: list) -> None:
        """Append ``value``'s text to ``out``: a scalar's at once, a container's items in turn."""
        convert = scalars.get(value.__class__)
        if convert is not None:
            out.append(convert(value))
            return
        if value.__class__ in _CONTAINERS:  # not asked of _scalar's type tests first
            container(value, inner, out)
            return
        text = _scalar(value)
        if text is None:
            container(value, inner, out)
        else:
            out.append(text)

    def container(value, newline: str, out: list) -> None:
        """A list, tuple or dict's text, its items on lines indented one step from ``newline``."""
        if not value:
            out.append("{}" if isinstance(value, dict) else "[]")
            return
        inner = newline + step
        between = "," + inner
        if value.__class__ is Rows and value.inner == inner and value.step == step and not sort_keys:
            parts = value.texts
            if None in parts:
                parts = ["".join(write_one(item, inner)) if text is None else text for item, text in zip(value, parts)]
            # each text a piece of its own between separators (laid in by one slice assignment): copied once,
            # by the final join
            pieces = [between] * (2 * len(parts) - 1)
            pieces[::2] = parts
            out += ("[", inner)
            out += pieces
            out += (newline, "]")
            return
        if isinstance(value, dict):
            items = sorted(value.items()) if sort_keys else value.items()
            get = labels.get
            out.append("{")
            lead = inner
            for key, item in items:
                convert = scalars.get(item.__class__)
                if convert is not None:  # a plain scalar: its key and text in one piece
                    out.append(lead + (get(key) or label(key)) + convert(item))
                else:
                    out += (lead, get(key) or label(key))
                    write(item, inner, out)
                lead = between
            out += (newline, "}")
            return
        out.append("[")
        lead = inner
        for item in value:
            out.append(lead)
            write(item, inner, out)
            lead = between
        out += (newline, "]")

    def write_one(value, inner: str) -> list:
        out: list[str] = []
        write(value, inner, out)
        return out

    return write_one
