"""Writing one job's files in several processes.

A single BOCES job spends most of its time turning cells into XML. When the
batch has only that one job to run, its summary, statements and exports (the CSVs and basis.json) are
shared out among forked worker processes, which inherit the computed result (nothing is
pickled but the finished bytes). Output is identical to writing them in turn. Given a
:class:`~.atomic.Stage`, every process writes each file into it as soon as it is made, so neither the
workers nor this process hold a job's outputs all at once (a million-row job's are 900 MB).
"""
from __future__ import annotations

import gc
import math
import multiprocessing
import os
from typing import Iterable

from ..result import Result

_RESULT: Result | None = None
_INPUTS: list = []
_OPTIONS = None  # the run's ReportOptions
_SINK = None  # the Stage the files go into as made, or None: returned as bytes

#: below this many workbooks the fork costs more than it saves
MIN_WORKBOOKS = 8
#: a share's estimated cost (charge rows, :func:`_shares`) above which a job's files are written in rounds:
#: more shares than workers, each in a fresh process that exits when done, so a worker holds the working of
#: only this many rows at a time (a million-row job's working is 760 MB, about 650 bytes a row)
ROUND_ROWS = 150_000
#: the task (in place of an output path and district code) that writes the job's exports — billing.csv,
#: aid.csv, basis.json, issues.csv and reconciliation.csv — beside the workbooks rather than before them: a
#: million-row job's take 6 s, which the parent spent alone while the other core waited for the fork
EXPORTS = (None, None)


def export_files(result: Result):
    """The job's CSV and JSON exports, (path, bytes) in turn (docs/formats.md, Outputs); billing.csv's bytes
    in pieces (:func:`~.csvs.billing_chunks`), for the stage to write as they are made."""
    from ..compare import BASIS_FILE, basis_json
    from .csvs import aid_csv, billing_chunks, issues_csv, reconciliation_csv
    yield "billing.csv", billing_chunks(result)
    yield "aid.csv", aid_csv(result)
    yield BASIS_FILE, basis_json(result)
    yield "issues.csv", issues_csv([i for i in result.log.sorted() if i.severity != "note"])
    if result.aid.reconciliation is not None:
        yield "reconciliation.csv", reconciliation_csv(result)


def _own_charges(result: Result, tasks: list[tuple[str, str | None]]) -> Result:
    """``result`` as one worker's statements see it: only their districts' billing and CoSer participation rows
    (a statement's working takes a service's totals from the services, never from other districts' rows).

    Why: what every statement shares is worked out per result (:func:`~.document.job_working`: each charge's
    working and JSON text, a million-row job's 9 s and 760 MB). Made once before the fork it was copied page
    by page into every worker touching it; made in each worker whole it was made twice. Made from a worker's
    own rows it is made once in all, in parallel. A statement reads no other district's rows, which
    test_parallel holds to (each worker's statements equal, byte for byte, those written from the whole).
    """
    from dataclasses import replace
    codes = [code for _, code in tasks if code is not None]
    if not codes:  # a share of the summary or the exports alone draws no statement: nothing to filter
        return result
    billing, rows = result.billing, result.coser.rows
    coser = replace(result.coser, rows=rows[rows["district_code"].isin(codes)]) if "district_code" in rows else result.coser
    return replace(result, billing=billing[billing["district_code"].isin(codes)], coser=coser)


def _whole(data: bytes | Iterable[bytes]) -> bytes:
    """A file's bytes, whether given whole or in pieces (:func:`export_files`)."""
    return data if isinstance(data, bytes) else b"".join(data)


def _share(tasks: list[tuple[str, str | None]]) -> list[tuple[str, bytes]]:
    """:func:`_write` in one worker of several: its statements from its own districts' charges."""
    return _write(tasks, _own_charges(_RESULT, tasks))


def _write(tasks: list[tuple[str, str | None]], charges: Result | None = None) -> list[tuple[str, bytes]]:
    """Each task's files: the summary workbook, or a statement's workbook and document (JSON); with
    ``--pdf`` each one's PDF too, drawn from the same document. Into the stage when there is one (nothing
    returned), else as (path, bytes). ``charges``: the result the statements are drawn from (:func:`_share`),
    by default the whole."""
    from .document import document_json, statement_document
    from .statement import write_statement
    from .summary import write_summary, write_summary_pdf
    out: list[tuple[str, bytes]] = []
    put = _SINK.put if _SINK is not None else lambda path, data: out.append((path, _whole(data)))
    charges = charges or _RESULT
    for path, code in tasks:
        if (path, code) == EXPORTS:
            for name, data in export_files(_RESULT):
                put(name, data)
            continue
        stem = path.removesuffix(".xlsx")
        if code is None:
            put(path, write_summary(_RESULT, _INPUTS, _OPTIONS))
            if _OPTIONS.pdf:
                put(stem + ".pdf", write_summary_pdf(_RESULT, _OPTIONS))
            continue
        document = statement_document(charges, code, _OPTIONS)
        put(path, write_statement(charges, code, _OPTIONS, document))
        put(stem + ".json", document_json(document))
        if _OPTIONS.pdf:
            from .pdf import render_statement_pdf  # imported only by a run that writes PDFs
            put(stem + ".pdf", render_statement_pdf(document))
    return out


def _shares(tasks: list[tuple[str, str | None]], workers: int, estimate) -> list[list]:
    """Tasks dealt to workers by estimated cost (longest first, to the least loaded), in units of one charge
    row of a statement (about 45 µs): a statement costs its billing rows plus 30; the summary 40 a district
    plus 0.07 a billing row (its CoSer charges grid); the exports 0.1 a billing row. Measured on the state's
    largest job and the million-row one (summary 3.6 thousand and 87 thousand units, exports 2 and 109
    thousand): the summary is not a fixed part of the statements (0.4 of them gave the million-row job's
    parent 37 s of writing and its worker 59 s). ``estimate``: each task's cost (:func:`_estimates`)."""
    load = [0.0] * workers
    shares: list[list] = [[] for _ in range(workers)]
    for task in sorted(tasks, key=lambda t: -estimate(t)):
        i = load.index(min(load))
        shares[i].append(task)
        load[i] += estimate(task)
    order = sorted(range(workers), key=lambda i: -load[i])  # the costliest share first
    return [shares[i] for i in order if shares[i]] or [[]]


def _estimates(result: Result, tasks: list[tuple[str, str | None]]):
    """Each task's estimated cost (:func:`_shares`), as a function of the task."""
    rows = result.billing["district_code"].value_counts()
    cost = {code: 30 + int(rows.get(code, 0)) for _, code in tasks if code is not None}
    cost[None] = 40 * len(result.districts) + 0.07 * len(result.billing)
    return lambda task: 0.1 * len(result.billing) if task == EXPORTS else cost[task[1]]


def _round_order(share: list[tuple[str, str | None]]) -> int:
    """Where a share goes in the rounds: the exports' first (0), the summary's last (2), the others between."""
    if EXPORTS in share:
        return 0
    return 2 if any(code is None for _, code in share) else 1


def _release_free_heap() -> None:
    """Hand the C heap's free pages back to the system (glibc's ``malloc_trim``; nothing elsewhere)."""
    try:
        import ctypes
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (macOS, Windows, musl): the pages stay, nothing is wrong
        pass


def write_workbooks(result: Result, inputs: list, tasks: list[tuple[str, str | None]], workers: int,
                    options=None, sink=None) -> dict[str, bytes]:
    """``tasks``: (output path, district code, or None for the summary), or :data:`EXPORTS` → bytes by path
    (with each statement's document and, as ``options`` ask, the PDFs); with ``sink`` (a :class:`~.atomic.Stage`)
    each file is written into it as made and nothing is returned."""
    from .document import ReportOptions
    global _RESULT, _INPUTS, _OPTIONS, _SINK
    _RESULT, _INPUTS, _OPTIONS, _SINK = result, inputs, options or ReportOptions(), sink
    try:
        if workers <= 1 or sum(t != EXPORTS for t in tasks) < MIN_WORKBOOKS or not hasattr(os, "fork"):
            return dict(_write(tasks))
        estimate = _estimates(result, tasks)
        rounds = max(1, math.ceil(sum(map(estimate, tasks)) / (workers * ROUND_ROWS)))
        chunks = _shares(tasks, workers * rounds, estimate)
        from . import statement, summary  # noqa: F401  imported once, here, rather than again in every worker
        # Why trim: the heap the workers inherit is only what is alive — what reading and computing freed (a
        # million-row job's 256 MB) handed back to the system, not shared and then copied into each process
        # that reuses it. Why freeze: every object alive (the result) moves to the collector's permanent
        # generation, so no collection in a worker writes to their headers, which would copy, page by page,
        # the heap the workers share with this process
        _release_free_heap()
        gc.freeze()
        try:
            if rounds > 1:  # each share in a process of its own, this one only waiting
                # the shares cost about the same; the exports' first and the summary's last, so that their
                # processes, which hold the most while they write (a 142 MB billing.csv, the charges grid),
                # never run at the same time
                chunks.sort(key=_round_order)
                with multiprocessing.get_context("fork").Pool(workers, maxtasksperchild=1) as pool:
                    parts = list(pool.imap_unordered(_share, chunks))
            else:
                # this process writes the first share itself while workers - 1 forked ones write the rest: one
                # process fewer to fork and tear down, and no core left waiting on the others
                with multiprocessing.get_context("fork").Pool(workers - 1) as pool:
                    pending = pool.map_async(_share, chunks[1:])
                    parts = [_share(chunks[0])] + pending.get()
        finally:
            gc.unfreeze()  # this process goes on (a batch, watch): what it made may be collected again
        return {path: data for part in parts for path, data in part}
    finally:
        _RESULT, _INPUTS, _OPTIONS, _SINK = None, [], None, None
