"""Shared helpers of the benchmark scripts: machine description and peak memory."""

from __future__ import annotations

import os
import platform
import resource
import sys


def machine() -> str:
    try:
        import psutil

        mem = f"{psutil.virtual_memory().total / 2**30:.0f} GiB"
    except ImportError:  # pragma: no cover
        mem = "? GiB"
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem} RAM, {platform.system()} {platform.release()}, "
        f"Python {sys.version.split()[0]}"
    )


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class TreeMemory:
    """Samples the resident memory of this process and all its children (worker processes included) every
    ``interval`` seconds in a background thread; ``peak_mb`` is the largest sum seen, ``peak_worker_mb`` the
    largest single child. Use as a context manager."""

    def __init__(self, interval: float = 0.1):
        self.interval = interval
        self.peak_mb = 0.0
        self.peak_worker_mb = 0.0

    def _sample(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop.wait(self.interval):
            try:
                kids = me.children(recursive=True)
                sizes = []
                for p in kids:
                    try:
                        sizes.append(p.memory_info().rss)
                    except psutil.Error:
                        pass
                total = me.memory_info().rss + sum(sizes)
            except psutil.Error:
                continue
            self.peak_mb = max(self.peak_mb, total / 2**20)
            if sizes:
                self.peak_worker_mb = max(self.peak_worker_mb, max(sizes) / 2**20)

    def __enter__(self) -> TreeMemory:
        import threading

        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, peak_rss_mb())
