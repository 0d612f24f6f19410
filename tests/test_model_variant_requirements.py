"""Model variants need their sheets (docs/model.md "Model variants 1–6"): variants 4–6 the labour
market and the distances, variants 3–5 the housing inputs and the distances. A missing sheet is an
InputError that names the variant and the sheet to fill (Arbeidsmarked, Boliger, Avstander).
"""

from __future__ import annotations

import pytest
from support.synthetic import add_labour_housing, synthetic_inputs

from regbef_excel.engine.projection import project
from regbef_excel.errors import InputError


@pytest.mark.parametrize(
    "variant, missing, sheet",
    [
        (4, "labour", "Arbeidsmarked"),
        (6, "labour", "Arbeidsmarked"),
        (3, "housing", "Boliger"),
        (5, "housing", "Boliger"),
        (3, "distances", "Avstander"),
        (6, "distances", "Avstander"),
    ],
)
def test_missing_sheet_is_named(variant, missing, sheet):
    inp = add_labour_housing(synthetic_inputs(3, 2, seed=3), seed=3)
    inp.variant = variant
    setattr(inp, missing, None)
    with pytest.raises(
        InputError, match=f"model variant {variant} .*needs the {missing} inputs"
    ) as err:
        project(inp)
    assert err.value.location.sheet == sheet
    assert sheet in str(err.value)
