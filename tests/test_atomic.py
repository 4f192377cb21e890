"""Atomic replacement of a job's output folder (docs/formats.md: temp name, then rename)."""
from __future__ import annotations

import ctypes
import errno
import os
import time
from pathlib import Path

import pytest

from apportion.marker import MARKER
from apportion.writers import atomic
from apportion.writers.atomic import recover, write_folder


def test_replaces_whole_folder_and_keeps_outbox(tmp_path):
    final = tmp_path / "JOB_2026-27"
    write_folder(final, {"billing.csv": b"old", "districts/a.xlsx": b"A"})
    (final / "outbox").mkdir()
    (final / "outbox" / "sent.csv").write_bytes(b"district_code\n1\n")
    write_folder(final, {"billing.csv": b"new"})
    assert (final / "billing.csv").read_bytes() == b"new"
    assert not (final / "districts").exists()  # nothing stale survives a re-run
    assert (final / "outbox" / "sent.csv").read_bytes() == b"district_code\n1\n"
    # no temporary folders left: only the folder, its lock file and the outputs-root marker
    assert sorted(p.name for p in tmp_path.iterdir()) == [".JOB_2026-27.lock", ".apportion-output", "JOB_2026-27"]


def test_a_report_another_run_committed_meanwhile_is_said_replaced(tmp_path):
    final = tmp_path / "JOB_2026-27"
    write_folder(final, {"billing.csv": b"before"})  # an earlier run's report
    replaced = []
    since = time.time()  # this run starts
    ours = atomic.stage_folder(final, {"billing.csv": b"ours"})
    atomic.commit_folder(final, ours, since=since, on_replace=replaced.append)
    assert replaced == []  # the earlier run's report is not another run's meanwhile
    since = time.time()  # a second run starts; a third commits before it
    theirs = atomic.stage_folder(final, {"billing.csv": b"theirs"})
    atomic.commit_folder(final, theirs)
    mine = atomic.stage_folder(final, {"billing.csv": b"mine"})
    atomic.commit_folder(final, mine, since=since, on_replace=replaced.append)
    assert replaced == [final] and (final / "billing.csv").read_bytes() == b"mine"


def test_recover_restores_previous_outputs_after_a_killed_swap(tmp_path):
    final = tmp_path / "JOB_2026-27"
    write_folder(final, {"billing.csv": b"previous"})
    # a run killed between moving the old folder aside and renaming the new one in
    os.replace(final, tmp_path / ".JOB_2026-27.old")
    (tmp_path / ".JOB_2026-27.tmp-x").mkdir()
    recover(final)
    assert (final / "billing.csv").read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".JOB_2026-27.lock", ".apportion-output", "JOB_2026-27"]


def test_staged_outputs_are_synced_once_per_folder(tmp_path, monkeypatch):
    # one syncfs(2) for the whole staged folder, not one fsync per file (atomic.make_durable says why)
    atomic.mark_output_root(tmp_path)  # the outputs root's marker, written (and fsynced) on a root's first run
    calls = []
    monkeypatch.setattr(atomic, "_SYNCFS", lambda fd: calls.append(os.fstat(fd).st_ino) or 0)
    monkeypatch.setattr(os, "fsync", lambda fd: calls.append("fsync"))
    staged = atomic.stage_folder(tmp_path / "JOB_2026-27", {"billing.csv": b"a", "districts/x.xlsx": b"x"})
    assert calls == [staged.stat().st_ino]
    assert (staged / "districts" / "x.xlsx").read_bytes() == b"x"


def test_without_syncfs_every_staged_file_is_fsynced(tmp_path, monkeypatch):
    atomic.mark_output_root(tmp_path)
    synced = []
    monkeypatch.setattr(atomic, "_SYNCFS", None)
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(Path(os.readlink(f"/proc/self/fd/{fd}")).name))
    atomic.stage_folder(tmp_path / "JOB_2026-27", {"billing.csv": b"a", "districts/x.xlsx": b"x"})
    assert sorted(synced) == sorted([MARKER, "billing.csv", "x.xlsx"])


def test_a_failed_sync_drops_the_stage_and_names_the_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(atomic, "_SYNCFS", lambda fd: -1)
    monkeypatch.setattr(ctypes, "get_errno", lambda: errno.EIO)
    with pytest.raises(OSError) as caught:
        atomic.stage_folder(tmp_path / "JOB_2026-27", {"billing.csv": b"a"})
    assert caught.value.errno == errno.EIO and ".JOB_2026-27.tmp-" in caught.value.filename
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]
