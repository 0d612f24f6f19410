"""regbef_excel: the open REGBEF population and housing projection model, with an Excel front end.

Layers, lowest first (each imports only from those before it; ``tests/test_layers.py``):
``errors``/``files``; :mod:`~regbef_excel.engine` (pure numpy) and
:mod:`~regbef_excel.regression` (Stata-convention panel regressions); :mod:`~regbef_excel.data`
(shipped data); :mod:`~regbef_excel.evaluation`; :mod:`~regbef_excel.schema` (the workbook
contract); :mod:`~regbef_excel.io` (the only code touching spreadsheet libraries);
:mod:`~regbef_excel.app` (use cases); the front ends :mod:`~regbef_excel.excel`,
:mod:`~regbef_excel.addin` and :mod:`~regbef_excel.cli`.
"""

from __future__ import annotations

__version__ = "0.1.0"
SCHEMA_VERSION = "1"
