"""The only code that imports spreadsheet libraries (openpyxl, xlwings, uno): back-ends,
cell conversion, readers (``read/``) and writers (``write/``)."""
