"""File helpers shared by the command line, the writers and the regression workbook."""

from __future__ import annotations

import hashlib
import os
import site
import sys
from pathlib import Path


def file_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file's bytes (used to prove an input file is unchanged by a run)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    """True when two paths name the same file (also through links), so outputs never overwrite
    inputs."""
    pa, pb = Path(a), Path(b)
    try:
        if pa.exists() and pb.exists():
            return pa.samefile(pb)
        return pa.resolve() == pb.resolve()
    except OSError:
        return False


def shipped_path(*parts: str) -> Path:
    """A file or folder shipped with regbef_excel outside the Python package (``workbook/``,
    ``docs/``, ``templates/``): the checkout's copy (editable install, tests), else the copy pip
    installed from the wheel's data files under ``<prefix>/share/regbef_excel/`` (setup.cfg
    ``[options.data_files]``). Returns the checkout path when neither exists."""
    checkout = Path(__file__).resolve().parents[1].joinpath(*parts)
    if checkout.exists():
        return checkout
    for prefix in dict.fromkeys((sys.prefix, sys.base_prefix, site.USER_BASE or "")):
        installed = Path(prefix, "share", "regbef_excel", *parts)
        if prefix and installed.exists():
            return installed
    return checkout
