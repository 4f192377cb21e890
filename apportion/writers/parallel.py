"""Writing one job's workbooks in several processes.

A single BOCES job spends most of its time turning cells into XML. When the
batch has only that one job to run, its summary and statements are shared out
among forked worker processes, which inherit the computed result (nothing is
pickled but the finished bytes). Output is identical to writing them in turn.
"""
from __future__ import annotations

import multiprocessing
import os

from ..result import Result

_RESULT: Result | None = None
_INPUTS: list = []

#: below this many workbooks the fork costs more than it saves
MIN_WORKBOOKS = 8


def _write(tasks: list[tuple[str, str | None]]) -> list[tuple[str, bytes]]:
    from .statement import write_statement
    from .summary import write_summary
    out = []
    for path, code in tasks:
        out.append((path, write_summary(_RESULT, _INPUTS) if code is None else write_statement(_RESULT, code)))
    return out


def _shares(result: Result, tasks: list[tuple[str, str | None]], workers: int) -> list[list]:
    """Tasks dealt to workers by estimated cost (longest first, to the least loaded): a statement costs
    about its billing rows plus a fixed part; the summary about 40 % of all statements together."""
    rows = result.billing["district_code"].value_counts()
    cost = {code: 30 + int(rows.get(code, 0)) for _, code in tasks if code is not None}
    summary = 0.4 * sum(cost.values())
    load = [0.0] * workers
    shares: list[list] = [[] for _ in range(workers)]
    for task in sorted(tasks, key=lambda t: -(summary if t[1] is None else cost[t[1]])):
        i = load.index(min(load))
        shares[i].append(task)
        load[i] += summary if task[1] is None else cost[task[1]]
    return shares


def write_workbooks(result: Result, inputs: list, tasks: list[tuple[str, str | None]], workers: int) -> dict[str, bytes]:
    """``tasks``: (output path, district code, or None for the summary) → bytes by path."""
    global _RESULT, _INPUTS
    _RESULT, _INPUTS = result, inputs
    try:
        if workers <= 1 or len(tasks) < MIN_WORKBOOKS or not hasattr(os, "fork"):
            return dict(_write(tasks))
        chunks = _shares(result, tasks, workers)
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_write, chunks)
        return {path: data for part in parts for path, data in part}
    finally:
        _RESULT, _INPUTS = None, []
