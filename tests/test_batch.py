"""batch: which input a job's output folder holds, found by a table of the inputs' folders."""
from __future__ import annotations

from pathlib import PurePosixPath

from hypothesis import given, settings
from hypothesis import strategies as st

from apportion.batch import _holders

PARTS = st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=4)


@settings(deadline=None, max_examples=200)
@given(st.lists(PARTS, min_size=1, max_size=6), PARTS)
def test_the_first_input_a_folder_is_or_holds(inputs, folder):
    """_holders(inputs).get(folder) is the first input that is the folder or lies under it, as asking each
    input in turn gives (the pairwise question it replaces)."""
    paths = [PurePosixPath("/", *p) for p in inputs]
    where = PurePosixPath("/", *folder)
    expected = next((p for p in paths if p == where or where in p.parents), None)
    assert _holders(paths).get(where) == expected


def test_a_folder_holding_two_inputs_names_the_first():
    first, second = PurePosixPath("/in/job/v.xlsx"), PurePosixPath("/in/w.xlsx")
    held = _holders([first, second])
    assert held[PurePosixPath("/in")] == first and held[PurePosixPath("/in/job")] == first
    assert held[second] == second and PurePosixPath("/out") not in held
