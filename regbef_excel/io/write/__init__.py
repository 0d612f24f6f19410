"""New workbooks: the input workbook, templates, output sheets, charts, comparisons, add-in sheets."""
