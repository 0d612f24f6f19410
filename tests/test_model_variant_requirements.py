"""Model variants need their sheets (docs/model.md "Model variants 1–6"): variants 4–6 the labour
market and the distances, variants 3–5 the housing inputs and the distances. A missing sheet is an
InputError that names the variant and the input field; the reader's side names the sheet to fill in
the workbook's language (Arbeidsmarked / Labour market, Boliger / Housing, Avstander / Distances).
"""

from __future__ import annotations

import pytest
from support.synthetic import add_labour_housing, synthetic_inputs

from regbef_excel.engine.projection import project
from regbef_excel.errors import InputError
from regbef_excel.io.read.projection import in_workbook
from regbef_excel.schema.meta import WorkbookMeta


@pytest.mark.parametrize(
    "variant, missing, sheet, sheet_en",
    [
        (4, "labour", "Arbeidsmarked", "Labour market"),
        (6, "labour", "Arbeidsmarked", "Labour market"),
        (3, "housing", "Boliger", "Housing"),
        (5, "housing", "Boliger", "Housing"),
        (3, "distances", "Avstander", "Distances"),
        (6, "distances", "Avstander", "Distances"),
    ],
)
def test_missing_sheet_is_named(variant, missing, sheet, sheet_en):
    inp = add_labour_housing(synthetic_inputs(3, 2, seed=3), seed=3)
    inp.variant = variant
    setattr(inp, missing, None)
    with pytest.raises(
        InputError, match=f"model variant {variant} .*needs the {missing} inputs"
    ) as err:
        project(inp)
    assert (err.value.location.sheet, err.value.location.table) == (None, missing)  # the field
    for language, name in (("nb", sheet), ("en", sheet_en)):
        located = in_workbook(err.value, WorkbookMeta(language=language))
        assert located.location.sheet == name and name in str(located)
        assert located.message == err.value.message
