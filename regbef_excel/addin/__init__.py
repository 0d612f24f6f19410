"""The REGBEF add-in (.xlam) and macro workbook (.xlsm) built from the text in ``workbook/``."""
