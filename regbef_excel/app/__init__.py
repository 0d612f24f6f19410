"""Use cases: the only API the front ends (cli, excel/, addin/) call.

projection (demo, run, validate, template, run log), regression (estimate a regression
workbook, its template, targets from the regressions), evaluation (scenario comparison,
back-test, SSB comparison), templates (distributable templates per municipality or county) and
the UDFs' projection cache (:mod:`regbef_excel.app.udf_cache`).

Import the use case from its module (``from regbef_excel.app.projection import run_workbook``):
the package imports none of them, so a command that projects does not load the regression
statistics (scipy.stats), the templates or the evaluation.
"""

