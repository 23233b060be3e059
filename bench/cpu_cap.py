"""A CPU quota for a process, as a container's CPU limit gives it: a cgroup of its own with the
CFS bandwidth controller (cgroup v1 ``cpu.cfs_quota_us`` or v2 ``cpu.max``).

Why the benchmark needs it: on a machine of two cores, the driver and the fakes take about one,
so two uncapped instances of the app cannot show that they scale; capped at a fraction of a core
each, one instance and two are measured under the same limit with cores to spare for the rest."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
PERIOD_MICROSECONDS = 20_000
"""A short period spreads the quota finely: a capped process waits at most a period's share,
not the 100 ms of the default period."""


@dataclass(frozen=True)
class CpuCap:
    """A cgroup limited to ``cores`` of CPU time; processes moved in stay limited until
    :meth:`remove` moves them back to the root group."""

    group: Path
    cores: float
    version: int

    def add(self, pid: int) -> None:
        (self.group / "cgroup.procs").write_text(str(pid))

    def throttled_seconds(self) -> float:
        """How long the group's processes waited for quota so far."""
        for line in (self.group / "cpu.stat").read_text().splitlines():
            name, value = line.split()
            if name == "throttled_time":  # v1, nanoseconds
                return int(value) / 1e9
            if name == "throttled_usec":  # v2
                return int(value) / 1e6
        return 0.0

    def remove(self) -> None:
        root = self.group.parent
        for pid in (self.group / "cgroup.procs").read_text().split():
            with contextlib.suppress(OSError):  # the process has exited
                (root / "cgroup.procs").write_text(pid)
        self.group.rmdir()


def cpu_hierarchy(root: Path = CGROUP_ROOT) -> tuple[Path, int] | None:
    """The directory of the CPU controller and the cgroup version, if this machine has one."""
    v1 = root / "cpu"
    if (v1 / "cpu.cfs_quota_us").exists():
        return v1, 1
    controllers = root / "cgroup.controllers"
    if controllers.exists() and "cpu" in controllers.read_text().split():
        return root, 2
    return None


def cap(cores: float, *, root: Path = CGROUP_ROOT) -> CpuCap | str:
    """A new capped group, or why there can be none here (no controller, no permission)."""
    found = cpu_hierarchy(root)
    if found is None:
        return "no cgroup CPU controller on this machine"
    hierarchy, version = found
    group = hierarchy / f"bench-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    quota = int(cores * PERIOD_MICROSECONDS)
    try:
        group.mkdir()
        if version == 1:
            (group / "cpu.cfs_period_us").write_text(str(PERIOD_MICROSECONDS))
            (group / "cpu.cfs_quota_us").write_text(str(quota))
        else:
            (group / "cpu.max").write_text(f"{quota} {PERIOD_MICROSECONDS}")
    except OSError as exc:
        if group.exists():
            group.rmdir()
        return f"cannot make a cgroup under {hierarchy}: {exc.strerror}"
    return CpuCap(group, cores, version)


@contextmanager
def capped(pids: list[int], cores: float, *, root: Path = CGROUP_ROOT) -> Iterator[list[CpuCap] | str]:
    """Each process in a group of its own, capped at ``cores``, until the block ends; or why
    that cannot be done here (then none is capped)."""
    caps: list[CpuCap] = []
    problem: str | None = None
    try:
        for pid in pids:
            group = cap(cores, root=root)
            if isinstance(group, str):
                problem = group
                break
            caps.append(group)
            try:
                group.add(pid)
            except OSError as exc:
                problem = f"cannot move a process into {group.group}: {exc.strerror}"
                break
        if problem is not None:
            while caps:
                caps.pop().remove()
        yield problem if problem is not None else caps
    finally:
        for group in caps:
            group.remove()


def describe(caps: list[CpuCap] | str, cores: float) -> str:
    """What ``capped`` gave, for the report."""
    if isinstance(caps, str):
        return f"uncapped, sharing the driver's cores: {caps}"
    return f"each capped at {cores} core by a cgroup v{caps[0].version} CPU quota"
