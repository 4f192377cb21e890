"""Start-up: what a plain ``apportion run`` imports (its cost is measured in bench/, never timed here)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

RUN = """
import json, sys
from apportion.cli import cli
try:
    cli(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(json.dumps({"exit": code, "modules": sorted({m.split(".")[0] for m in sys.modules} | set(sys.modules))}))
"""


def _run(tmp_path: Path, *extra: str) -> dict:
    job = ROOT / "inputs" / "example_valley_2026-27.xlsx"
    done = subprocess.run([sys.executable, "-c", RUN, "run", str(job), "-o", str(tmp_path / "out"), "--jobs", "1",
                           *extra], capture_output=True, text=True, cwd=tmp_path, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_run_without_pdf_never_imports_the_pdf_stack(tmp_path):
    plain = _run(tmp_path)
    assert plain["exit"] == 0 and "xlsxwriter" in plain["modules"]
    assert "apportion.writers.pdf" not in plain["modules"]
    with_pdf = _run(tmp_path, "--pdf")
    assert with_pdf["exit"] == 0 and "apportion.writers.pdf" in with_pdf["modules"]  # --pdf draws them
    assert "fpdf" not in with_pdf["modules"]  # the PDF is written by apportion itself (fpdf2 is a test reference)
