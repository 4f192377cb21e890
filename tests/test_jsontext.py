"""writers.jsontext.dumps writes the same characters as json.dumps(ensure_ascii=False, indent=N)."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apportion.writers.jsontext import dumps

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text())
KEYS = st.one_of(st.text(), st.integers(), st.floats(allow_nan=False), st.booleans(), st.none())
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4), st.tuples(inner, inner),
                                                        st.dictionaries(KEYS, inner, max_size=4)), max_leaves=30)


@settings(deadline=None, max_examples=400)
@given(VALUES, st.integers(0, 3))
def test_same_text_as_json_dumps(value, indent):
    assert dumps(value, indent=indent) == json.dumps(value, ensure_ascii=False, indent=indent)


@settings(deadline=None, max_examples=200)
@given(st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                      st.dictionaries(st.text(), inner, max_size=4)), max_leaves=30))
def test_sorted_keys_same_as_json_dumps(value):
    assert dumps(value, sort_keys=True) == json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True)


def test_examples_and_refusals():
    doc = {"b": [1, 2.5, None, True, "é\n\"q\"", [], {}], "a": {"n": float("nan"), "i": -float("inf")}, 3: (1,)}
    assert dumps(doc) == json.dumps(doc, ensure_ascii=False, indent=1)
    assert dumps("x") == '"x"' and dumps([]) == "[]"
    with pytest.raises(TypeError):
        dumps({"a": object()})
    with pytest.raises(TypeError):
        dumps({(1, 2): 1})
