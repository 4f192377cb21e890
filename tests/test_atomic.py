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


def test_reports_are_as_readable_as_any_file_the_user_makes(tmp_path):
    """Tester D4: the job folder was drwx------ and the root marker -rw------- whatever the umask (022), so a
    colleague's account or a finance import could not read the reports. Now they follow the umask."""
    old = os.umask(0o022)
    try:
        final = tmp_path / "out" / "JOB_2026-27"
        write_folder(final, {"billing.csv": b"x", "districts/a.xlsx": b"A"})
        atomic.write_file(tmp_path / "draft.eml", b"To: a@b.org\r\n")
    finally:
        os.umask(old)
    modes = {p.relative_to(tmp_path).as_posix(): oct(p.stat().st_mode & 0o777)
             for p in [final, final / "billing.csv", final / "districts", tmp_path / "out" / MARKER, tmp_path / "draft.eml"]}
    assert modes == {"out/JOB_2026-27": "0o755", "out/JOB_2026-27/billing.csv": "0o644",
                     "out/JOB_2026-27/districts": "0o755", f"out/{MARKER}": "0o644", "draft.eml": "0o644"}


def test_a_folder_that_cannot_hold_a_lock_file_fails_at_once(tmp_path, monkeypatch):
    """Tester D5: ``-o /proc/self`` (no file can be made there; filelock reports it as a lock held) spun at
    100 % CPU for ever. Now the owner gives up after OWNER_TRIES fresh tokens with one OSError naming the folder."""
    class NeverFree(atomic.FileLock):
        def acquire(self, *args, **kwargs):
            raise atomic.Timeout(self.lock_file)

    monkeypatch.setattr(atomic, "FileLock", NeverFree)
    with pytest.raises(OSError, match="no lock file can be created") as raised:
        atomic.Owner(tmp_path)
    assert raised.value.filename == str(tmp_path)
