"""The benchmark's mechanics, run with tiny numbers: every command it sends is answered and
acknowledged, every acknowledged command opens its modal, every submission is filed, and every
figure and target it promises is printed. Its timings are not checked here (noisy machines):
they are read from ``python -m bench`` itself."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_benchmark_answers_every_command_and_its_counts_agree(tmp_path: Path) -> None:
    output = tmp_path / "bench.json"
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--json", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(output.read_text())
    phases = {count["phase"]: count for count in report["counts"]}
    sent = [c for c in report["counts"] if "sent" in c]
    # three concurrency levels, the burst of everyone at once, two open-loop rates for two apps,
    # App Home openings, two rates each for ours and bare Bolt capped, and two rates for one
    # instance of ours and for two, and reactions at two rates on SQLite and on PostgreSQL
    assert len(sent) == 21
    for count in sent:
        assert count["answered"] == count["sent"] == count["acknowledged"], count
    opened = [c for c in report["counts"] if "opened" in c]
    assert len(opened) == 19  # the bursts, warm/cold with Siit fast and slow, the open-loop rates, App Home
    for count in opened:
        assert count["opened"] == count["acknowledged"] > 0, count
    assert phases["submissions"]["filed"] == phases["submissions"]["submitted"] > 0
    recorded = [c for c in report["counts"] if "recorded" in c]
    assert len(recorded) == 4
    for count in recorded:  # every reaction recorded before its ack, and filed
        assert count["recorded"] == count["filed"] == count["sent"], count
    shared = phases["exactly once across two instances"]
    assert shared["filed_once"] == shared["messages"] > 0
    names = [f["figure"] for f in report["figures"]]
    for figure in (
        "ack latency",
        "slash -> views.open",
        "view_submission -> created",
        "peak RSS",
        "commands/s",
        "capacity",
        "CPU per command",
        "two instances / one",
        "filed and announced once",
        "app_home_opened -> views.publish",
        "Siit calls/min polling 500 open tickets",
        "agent reply -> Slack thread",
        "commits per acknowledged reaction",
    ):
        assert any(figure in name for name in names), figure
    assert len(report["targets"]) == 25
    for target in report["targets"]:
        assert ("PASS" if target["ok"] else "FAIL") + "  " + target["target"] in result.stdout
