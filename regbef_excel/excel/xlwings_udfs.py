"""The worksheet functions as Excel sees them: thin ``@xw.func`` wrappers (xlwings).

List this module under ``UDF Modules`` in the ``xlwings.conf`` sheet
(``regbef_excel.excel.xlwings_udfs``), or use the REGBEF add-in, whose VBA already declares
every function and calls this module. Each wrapper only hands Excel's values to the function
of the same name in :mod:`regbef_excel.excel.udfs`, where conversion and errors are handled.
Names, descriptions and argument help come from :data:`regbef_excel.schema.udfs.UDFS`.

On Linux (and wherever xlwings' Excel runtime is missing) the decorators do nothing and the
functions are still plain Python: this module always imports.
"""

from __future__ import annotations

from collections.abc import Callable

from regbef_excel.excel import udfs
from regbef_excel.excel.udfs import Matrix
from regbef_excel.io.xlwings_live import XlwingsBackend, udf_export
from regbef_excel.schema.udfs import UDFS


def _export(name: str) -> Callable[[Callable[..., Matrix]], Callable[..., Matrix]]:
    """The registry's name, help and xlwings decorators for the UDF ``name``."""
    return udf_export(UDFS[name])


def _caller_backend(caller: object) -> Callable[[], object] | None:
    """Back-end factory over the workbook of the calling cell (``None`` outside a cell)."""
    if caller is None or not hasattr(caller, "sheet"):
        return None

    def make() -> object:
        return XlwingsBackend(caller.sheet.book)  # type: ignore[attr-defined]

    return make


@_export("REGBEF_RUN")
def REGBEF_RUN(inputs=None, result=None, zone=None, year=None, caller=None) -> Matrix:
    return udfs.regbef_run(result, zone, year, inputs, backend=_caller_backend(caller))


@_export("REGBEF_ROGERS_CASTRO")
def REGBEF_ROGERS_CASTRO(ages, params) -> Matrix:
    return udfs.regbef_rogers_castro(ages, params)


@_export("REGBEF_ROGEST")
def REGBEF_ROGEST(ages, rates, n_params=None, weights=None) -> Matrix:
    return udfs.regbef_rogest(ages, rates, n_params, weights)


@_export("REGBEF_HADWIGER")
def REGBEF_HADWIGER(ages, a, b, c) -> Matrix:
    return udfs.regbef_hadwiger(ages, a, b, c)


@_export("REGBEF_REGRESS")
def REGBEF_REGRESS(y, x, entity=None, time=None, method=None, cov=None, time_dummies=None) -> Matrix:
    return udfs.regbef_regress(y, x, entity, time, method, cov, time_dummies)


@_export("REGBEF_AGEGROUPS")
def REGBEF_AGEGROUPS(ages, population) -> Matrix:
    return udfs.regbef_agegroups(ages, population)


@_export("REGBEF_INTERVAL")
def REGBEF_INTERVAL(inputs=None, zone=None, year=None, level=None, bound=None, measure=None, caller=None) -> Matrix:
    return udfs.regbef_interval(zone, year, level, bound, measure, inputs, backend=_caller_backend(caller))


@_export("REGBEF_CHECK")
def REGBEF_CHECK(inputs=None, caller=None) -> Matrix:
    return udfs.regbef_check(inputs, backend=_caller_backend(caller))


@_export("REGBEF_VERSION")
def REGBEF_VERSION() -> Matrix:
    return udfs.regbef_version()


#: Python module path the VBA declarations call (``Py.CallUDF``).
MODULE = __name__

__all__ = [
    "MODULE",
    "REGBEF_AGEGROUPS",
    "REGBEF_CHECK",
    "REGBEF_HADWIGER",
    "REGBEF_INTERVAL",
    "REGBEF_REGRESS",
    "REGBEF_ROGERS_CASTRO",
    "REGBEF_ROGEST",
    "REGBEF_RUN",
    "REGBEF_VERSION",
]
