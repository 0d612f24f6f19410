"""Any back-end -> validated inputs: table parsing, the projection workbook and its markets."""
