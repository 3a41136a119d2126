"""What the harness reads about processes and the machine (Linux ``/proc``)."""

import os
import platform
import statistics
import time
from pathlib import Path


def _status_kib(pid: int | None, field: str) -> int | None:
    path = Path(f"/proc/{'self' if pid is None else pid}/status")
    try:
        for line in path.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


def peak_rss_mib(pid: int | None) -> float | None:
    """Peak resident set (VmHWM) in MiB of ``pid`` (None: this process); None if unknown."""
    kib = _status_kib(pid, "VmHWM")
    return None if kib is None else kib / 1024


def rss_mib(pid: int | None) -> float | None:
    kib = _status_kib(pid, "VmRSS")
    return None if kib is None else kib / 1024


def reset_peak_rss(pid: int) -> bool:
    """Resets VmHWM to the current RSS (``clear_refs`` 5, Linux ≥ 4.0), so the next reading is the
    peak of what ran since. False where that is not allowed: peaks then accumulate."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_gib() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30


def fsync_ms(folder: Path, count: int = 30) -> float:
    """Median time of a 4 KiB write plus fsync in ``folder``: what each durable commit waits for
    (SQLite in WAL mode, and PostgreSQL's WAL, sync at every commit by default)."""
    path = folder / "fsync-probe"
    times = []
    with path.open("wb") as probe:
        for _ in range(count):
            started = time.perf_counter()
            probe.write(b"x" * 4096)
            probe.flush()
            os.fsync(probe.fileno())
            times.append(time.perf_counter() - started)
    path.unlink()
    return statistics.median(times) * 1000
