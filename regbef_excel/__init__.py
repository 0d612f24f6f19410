"""regbef_excel: the open REGBEF population and housing projection model, with an Excel front end.

The engine (:mod:`regbef_excel.engine`) is pure numpy; the workbook adapters live in
:mod:`regbef_excel.excel`; the migration regressions in :mod:`regbef_excel.regression`.
"""

from __future__ import annotations

__version__ = "0.1.0"
SCHEMA_VERSION = "1"
