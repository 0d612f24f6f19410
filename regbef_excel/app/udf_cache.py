"""The worksheet functions' caches: validated inputs of unchanged workbook files and an LRU cache
of projections keyed on the SHA-256 of their inputs (the UDF server keeps one Python alive, so a
recalculation that does not change the inputs does not project again).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from regbef_excel import __version__
from regbef_excel.engine import project
from regbef_excel.errors import InputError, InputErrors, Location
from regbef_excel.io.fast_files import open_file
from regbef_excel.io.read.projection import read_from_backend
from regbef_excel.io.write.results import inputs_sha256


class ProjectionCache:
    """A small LRU cache of projections keyed on the SHA-256 of their inputs (thread-safe)."""

    def __init__(self, size: int = 4) -> None:
        self.size = size
        self._data: OrderedDict[str, object] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_compute(self, key: str, compute: Callable[[], object]) -> object:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                self.hits += 1
                return self._data[key]
        value = compute()
        with self._lock:
            self.misses += 1
            self._data[key] = value
            while len(self._data) > self.size:
                self._data.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.hits = self.misses = 0


#: The process-wide cache used by :func:`regbef_run` (the UDF server keeps one Python alive).
CACHE = ProjectionCache()


def inputs_key(inputs: object) -> str:
    """Cache key: SHA-256 over every input value (:func:`regbef_excel.io.write.results.inputs_sha256`)."""
    return hashlib.sha256(("regbef " + __version__ + inputs_sha256(inputs)).encode()).hexdigest()


def read_inputs(backend: object):
    """Validated inputs and language from any workbook back-end; raises :class:`InputErrors`."""
    res = read_from_backend(backend)  # type: ignore[arg-type]
    if res.errors:
        raise InputErrors(res.errors)
    return res.inputs, res.language


def backend_for(path: str, caller_backend: Callable[[], object] | None):  # noqa: ANN201
    """A back-end over the workbook file ``path``, or else over the calling cell's workbook."""
    if path:
        p = Path(path).expanduser()
        return open_file(p)
    if caller_backend is None:
        raise InputError("no workbook to read", location=Location(cell="source"),
                         expected="a call from a worksheet cell, or the path of a workbook")  # fmt: skip
    return caller_backend()


#: Validated inputs of workbook FILES by (path, modification time, size): a file that has not
#: changed is not parsed again (parsing is ~90 % of a cached REGBEF_RUN on a file).
_FILE_INPUTS: dict[tuple[str, int, int], tuple[object, str]] = {}


def inputs_for(path: str, backend: Callable[[], object] | None) -> tuple[object, str]:
    """Validated inputs and language of the workbook file ``path`` (kept while the file does not
    change) or else of the calling cell's workbook."""
    key = None
    if path:
        p = Path(path).expanduser()
        try:
            st = p.stat()
            key = (str(p.resolve()), st.st_mtime_ns, st.st_size)
        except OSError:
            key = None
        if key is not None and key in _FILE_INPUTS:
            return _FILE_INPUTS[key]
    be = backend_for(path, backend)
    try:
        got = read_inputs(be)
    finally:
        close = getattr(be, "close", None)
        if close is not None:
            close()
    if key is not None:
        if len(_FILE_INPUTS) >= 8:
            _FILE_INPUTS.pop(next(iter(_FILE_INPUTS)))
        _FILE_INPUTS[key] = got
    return got


def project_cached(inputs: object, cache: ProjectionCache | None = None):
    """The projection of ``inputs``, computed once per distinct input values."""
    return (cache or CACHE).get_or_compute(inputs_key(inputs), lambda: project(inputs))
