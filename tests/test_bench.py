"""The benchmark keeps working: run it with tiny numbers (its figures are not checked here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_benchmark_runs_with_tiny_numbers() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--quick"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for figure in ("ack latency", "slash -> views.open", "view_submission -> created", "ratio", "peak RSS"):
        assert figure in result.stdout
    assert result.stdout.count("PASS") + result.stdout.count("FAIL") == 8
