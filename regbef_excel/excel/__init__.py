"""Excel front end: the pure UDF functions (udfs), their xlwings wrappers (xlwings_udfs) and the
ribbon macros (macros). The VBA calls ``regbef_excel.excel.macros`` and
``regbef_excel.excel.xlwings_udfs`` by these dotted paths."""
