"""The statements' per-job working (writers.document): the aidable parts of each district's charges worked a
column at a time give what a part-by-part Fraction reckoning gives (Educ. Law §1950(5)(b))."""
from __future__ import annotations

import pickle
from fractions import Fraction

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from apportion.writers import document
from apportion.writers.labels import money_text


def _half_up(value: Fraction) -> int:
    """Half away from zero, the plain way: the reference for the integer formula."""
    whole = int(abs(value) + Fraction(1, 2))
    return whole if value >= 0 else -whole


@settings(deadline=None, max_examples=200)
@given(st.lists(st.tuples(st.integers(-10**12, 10**12), st.integers(1, 10**12)), min_size=1, max_size=20))
def test_half_up_quotient_on_ints_and_arrays(pairs):
    nums, dens = zip(*pairs)
    expected = [_half_up(Fraction(n, d)) for n, d in pairs]
    assert [document._half_up_quotient(n, d) for n, d in pairs] == expected
    as_objects = document._half_up_quotient(np.array(nums, dtype=object), np.array(dens, dtype=object))
    assert as_objects.tolist() == expected
    if max(map(abs, nums)) < 2**40 and max(dens) < 2**40:
        assert document._half_up_quotient(np.array(nums), np.array(dens)).tolist() == expected


def test_exact_arrays_are_python_ints_where_int64_could_overflow():
    small = document._exact_arrays(np.array([5_000_00]), np.array([471_596_000]), np.array([500_000_000]))
    assert all(a.dtype == np.int64 for a in small)
    # $90 million charged on a $100 million budget: 9e9 × 1e10 cents² = 9e19 > 2**63 ≈ 9.2e18
    big = document._exact_arrays(np.array([9 * 10**9]), np.array([10**10]), np.array([10**10]))
    assert all(a.dtype == object for a in big)
    assert (big[0] * big[1])[0] == 9 * 10**19


@settings(deadline=None, max_examples=200)
@given(st.lists(st.tuples(st.sampled_from(["A", "B", "C"]), st.integers(-10**9, 10**9), st.integers(0, 10**10),
                          st.integers(1, 10**10)), min_size=1, max_size=25))
def test_exact_sums_equal_fraction_sums(parts):
    parts = sorted(parts, key=lambda p: p[0])  # grouped by district, as the statements' parts are
    owners = np.array([p[0] for p in parts], dtype=object)
    charge, num, den = (np.array([p[i] for p in parts], dtype=object) for i in (1, 2, 3))
    spans = {code: None for code in ["A", "B", "C", "D"]}  # D: a district with parts over no denominator
    got = document._exact_sums(owners, charge, num, den, spans)
    for code in spans:
        exact = sum((Fraction(c * n, d) for o, c, n, d in parts if o == code), Fraction(0))
        assert got[code] == document._sum_text(exact)


def test_aidable_parts_as_reckoned_part_by_part(small_result):
    """Each district's detail steps, their JSON texts and the exact sum quoted in its approved services
    working, against the same reckoned one charge at a time."""
    parts = document._aidable_parts(small_result)
    rows, services = small_result.coser.rows, small_result.coser.services
    expected: dict[str, list] = {}
    for code, service, charge in zip(rows["district_code"], rows["service_code"], rows["final_charge"]):
        if charge:
            num, den = int(services.at[service, "aidable_num"]), int(services.at[service, "aidable_den"])
            expected.setdefault(code, []).append((service, services.at[service, "service_name"], int(charge), num, den))
    pd_rows = small_result.shared_pd.rows
    for code, contract, charge, num, den in zip(pd_rows["district_code"], pd_rows["contract"], pd_rows["charge"],
                                                pd_rows["aidable_num"], pd_rows["aidable_den"]):
        if charge:
            vendor = small_result.shared_pd.contracts.at[contract, "vendor"]
            expected.setdefault(code, []).append((contract, vendor, int(charge), int(num), int(den)))
    assert expected and set(parts.spans) == set(expected)
    for code, lines in expected.items():
        lines.sort(key=lambda p: p[0])
        got = parts.lines[slice(*parts.spans[code])]
        assert got == [{"label": item, "value": _half_up(Fraction(c * n, d)) if d else 0, "kind": "cents",
                        "working": f"{name}: charge {money_text(c)} {document.aidable_fraction_text(n, d)}",
                        "law": "", "role": "detail"} for item, name, c, n, d in lines]
        exact = sum((Fraction(c * n, d) for _, _, c, n, d in lines if d), Fraction(0))
        assert parts.sums[code] == document._sum_text(exact)
    text = document.jsontext.dumps({"x": [{"y": [1]}, {"s": {"lines": document.jsontext.Rows(
        parts.lines, parts.texts, document.ROWS_LINE, document.JSON_STEP)}}]})
    assert text == document.jsontext.dumps({"x": [{"y": [1]}, {"s": {"lines": list(parts.lines)}}]})


def test_job_working_leaves_the_billing_as_it_was(small_result):
    """The working writes each row's shown units into an array of its own: not into the result's billing
    (pandas' to_numpy(copy=True) of an unpickled frame's text column gave the column itself, and the
    statements' shown units then reached billing.csv)."""
    result = pickle.loads(pickle.dumps(small_result))
    before = result.billing.copy(deep=True)
    document.job_working(result)
    pd.testing.assert_frame_equal(result.billing, before)


def test_by_index_is_to_dict_index(small_result):
    """by_index gives what DataFrame.to_dict("index") gives, value for value and type for type: the job's own
    tables and one of every kind of column (an object column's numpy ints and pd.NA boxed, a nullable column's
    pd.NA kept, text, floats with NaN, an empty frame)."""
    frame = pd.DataFrame({"object": pd.Series([np.int64(3), pd.NA, "a", 2.5], dtype=object),
                          "nullable": pd.array([1, None, 3, 4], dtype="Int64"), "text": ["x", None, "z", "w"],
                          "float": [1.5, np.nan, 0.0, -2.0], "int": np.arange(4), "bool": [True, False, True, False]},
                         index=["d1", "d2", "d3", "d4"])
    for table in (small_result.districts, small_result.apportionment.shares, small_result.aid.table,
                  small_result.net, frame, frame.iloc[:0]):
        expected, got = table.to_dict("index"), document.by_index(table)
        assert list(got) == list(expected)
        for key, row in expected.items():
            assert list(got[key]) == list(row)
            for column, value in row.items():
                assert type(got[key][column]) is type(value)
                assert got[key][column] == value or (pd.isna(value) and pd.isna(got[key][column]))
