"""File helpers shared by the command line, the writers and the regression workbook."""

from __future__ import annotations

import hashlib
import os
import site
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """A temporary path beside ``path`` that replaces ``path`` when the block ends without error.

    The ONE way regbef_excel writes an output file: on any failure the temporary file is removed
    and ``path`` is untouched (no partial output). The folder is created if needed.
    """
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.stem}-", suffix=out.suffix or ".tmp", dir=out.parent)
    os.close(fd)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the file normal permissions
        yield Path(tmp)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write(path: str | os.PathLike[str], data: bytes | str) -> Path:
    """Write ``data`` (text as UTF-8) to ``path`` through :func:`atomic_path`."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return Path(path)
