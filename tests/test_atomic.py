"""Atomic replacement of a job's output folder (FORMATS.md: temp name, then rename)."""
from __future__ import annotations

import os

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


def test_recover_restores_previous_outputs_after_a_killed_swap(tmp_path):
    final = tmp_path / "JOB_2026-27"
    write_folder(final, {"billing.csv": b"previous"})
    # a run killed between moving the old folder aside and renaming the new one in
    os.replace(final, tmp_path / ".JOB_2026-27.old")
    (tmp_path / ".JOB_2026-27.tmp-x").mkdir()
    recover(final)
    assert (final / "billing.csv").read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".JOB_2026-27.lock", ".apportion-output", "JOB_2026-27"]
