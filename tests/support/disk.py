"""A small real file system (tmpfs) for disk-full tests.

Mounting needs root (CAP_SYS_ADMIN), as CI has; elsewhere the tests that need
it are skipped with the reason (and listed in the run's summary).
"""
import contextlib
import os
import subprocess

import pytest


@contextlib.contextmanager
def small_disk(folder, size_kb=256):
    """Mount a ``size_kb`` tmpfs at ``folder``; yields the folder, unmounts after."""
    os.makedirs(folder, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k,mode=0777",
                           "tmpfs", str(folder)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs for a disk-full test: "
                    f"{done.stderr.strip() or 'not root'}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)


def fill(folder, leave_bytes):
    """Fill the file system of ``folder`` until only about ``leave_bytes`` are free;
    returns the filler's path (remove it to free the space)."""
    path = os.path.join(str(folder), "filler.bin")
    stat = os.statvfs(str(folder))
    free = stat.f_bavail * stat.f_frsize
    with open(path, "wb") as f:
        f.write(b"\0" * max(0, free - leave_bytes))
    return path
