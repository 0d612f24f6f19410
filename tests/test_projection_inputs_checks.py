"""The engine's own check of inputs built in Python, :meth:`ProjectionInputs.validate`
(docs/model.md "Inputs"): what each problem reports.
"""

from __future__ import annotations

import dataclasses

import pytest
from support.synthetic import synthetic_inputs

from regbef_excel.errors import InputErrors


def test_unknown_variant_reports_found_and_expected():
    """An unknown model variant names the settings, the value found and the variants 1..6."""
    inp = dataclasses.replace(synthetic_inputs(2, 3), variant=9)
    with pytest.raises(InputErrors) as e:
        inp.validate()
    bad = [x for x in e.value.errors if x.message == "unknown model variant"]
    assert len(bad) == 1
    assert (bad[0].location.table, bad[0].found, bad[0].expected) == ("settings", 9, "1..6")


def test_inputs_without_zones_are_refused():
    """Inputs with no zone at all are an input error ("no zones"), listed with the others."""
    inp = synthetic_inputs(2, 3)
    inp = dataclasses.replace(inp, zone_codes=[], zone_names=[])
    with pytest.raises(InputErrors) as e:
        inp.validate()
    assert any(x.message == "no zones" and x.location.table == "zones" for x in e.value.errors)
