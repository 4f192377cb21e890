"""Writing one job's workbooks in several processes.

A single BOCES job spends most of its time turning cells into XML. When the
batch has only that one job to run, its summary and statements are shared out
among forked worker processes, which inherit the computed result (nothing is
pickled but the finished bytes). Output is identical to writing them in turn. Given a
:class:`~.atomic.Stage`, every process writes each file into it as soon as it is made, so neither the
workers nor this process hold a job's outputs all at once (a million-row job's are 900 MB).
"""
from __future__ import annotations

import multiprocessing
import os

from ..result import Result

_RESULT: Result | None = None
_INPUTS: list = []
_OPTIONS = None  # the run's ReportOptions
_SINK = None  # the Stage the files go into as made, or None: returned as bytes

#: below this many workbooks the fork costs more than it saves
MIN_WORKBOOKS = 8


def _write(tasks: list[tuple[str, str | None]]) -> list[tuple[str, bytes]]:
    """Each task's files: the summary workbook, or a statement's workbook and document (JSON); with
    ``--pdf`` each one's PDF too, drawn from the same document. Into the stage when there is one (nothing
    returned), else as (path, bytes)."""
    from .document import document_json, statement_document
    from .statement import write_statement
    from .summary import write_summary, write_summary_pdf
    out: list[tuple[str, bytes]] = []
    put = _SINK.put if _SINK is not None else lambda path, data: out.append((path, data))
    for path, code in tasks:
        stem = path.removesuffix(".xlsx")
        if code is None:
            put(path, write_summary(_RESULT, _INPUTS, _OPTIONS))
            if _OPTIONS.pdf:
                put(stem + ".pdf", write_summary_pdf(_RESULT, _OPTIONS))
            continue
        document = statement_document(_RESULT, code, _OPTIONS)
        put(path, write_statement(_RESULT, code, _OPTIONS, document))
        put(stem + ".json", document_json(document))
        if _OPTIONS.pdf:
            from .pdf import render_statement_pdf  # imported only by a run that writes PDFs
            put(stem + ".pdf", render_statement_pdf(document))
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


def write_workbooks(result: Result, inputs: list, tasks: list[tuple[str, str | None]], workers: int,
                    options=None, sink=None) -> dict[str, bytes]:
    """``tasks``: (output path, district code, or None for the summary) → bytes by path (with each
    statement's document and, as ``options`` ask, the PDFs); with ``sink`` (a :class:`~.atomic.Stage`)
    each file is written into it as made and nothing is returned."""
    from .document import ReportOptions
    global _RESULT, _INPUTS, _OPTIONS, _SINK
    _RESULT, _INPUTS, _OPTIONS, _SINK = result, inputs, options or ReportOptions(), sink
    try:
        if workers <= 1 or len(tasks) < MIN_WORKBOOKS or not hasattr(os, "fork"):
            return dict(_write(tasks))
        chunks = _shares(result, tasks, workers)
        if any(code is not None for _, code in tasks):
            # the statements' shared working (document.job_working: every charge's working text, the aidable
            # parts) made once here, inherited by the forked workers, rather than once in every process
            from .document import job_working
            job_working(result)
        # this process writes the first share itself while workers - 1 forked ones write the rest: one
        # process fewer to fork and tear down, and no core left waiting on the others
        with multiprocessing.get_context("fork").Pool(workers - 1) as pool:
            pending = pool.map_async(_write, chunks[1:])
            parts = [_write(chunks[0])] + pending.get()
        return {path: data for part in parts for path, data in part}
    finally:
        _RESULT, _INPUTS, _OPTIONS, _SINK = None, [], None, None
