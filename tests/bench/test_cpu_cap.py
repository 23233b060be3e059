"""The benchmark's CPU quota: a capped process gets no more CPU than its share, and where this
machine has no controller to give the benchmark is told why."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench import cpu_cap

SPIN = "import time\nwhile True: time.perf_counter()"


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_a_capped_process_gets_no_more_than_its_share_and_is_let_go_after() -> None:
    if isinstance(probe := cpu_cap.cap(0.1), str):
        pytest.skip(probe)
    probe.remove()
    spinner = subprocess.Popen([sys.executable, "-c", SPIN])
    try:
        with cpu_cap.capped([spinner.pid], 0.1) as caps:
            assert not isinstance(caps, str)
            start = cpu_seconds(spinner.pid)
            time.sleep(2.0)
            used = cpu_seconds(spinner.pid) - start
            assert used <= 0.4, used  # 0.2 s is its share; a free spinner takes up to 2 s
            assert caps[0].throttled_seconds() > 0
            group = caps[0].group
        assert not group.exists()
        assert group.name not in Path(f"/proc/{spinner.pid}/cgroup").read_text()  # back in the root group
    finally:
        spinner.kill()
        spinner.wait()


def test_without_a_cpu_controller_nothing_is_capped_and_the_reason_is_given(tmp_path: Path) -> None:
    with cpu_cap.capped([os.getpid()], 0.5, root=tmp_path) as caps:
        assert caps == "no cgroup CPU controller on this machine"
    assert list(tmp_path.iterdir()) == []
