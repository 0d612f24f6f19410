"""The engine's own check of inputs built in Python, :meth:`ProjectionInputs.validate`
(docs/model.md "Inputs"): what each problem reports.
"""

from __future__ import annotations

import dataclasses

import numpy as np
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


def _break(inp, change):
    """A copy of ``inp`` with one field changed (arrays copied first)."""
    inp = dataclasses.replace(inp, rc_params={k: np.array(v, dtype=float) for k, v in inp.rc_params.items()},
                              migration_level_region={k: np.array(v, dtype=float) for k, v in inp.migration_level_region.items()},
                              migration_level_zone={k: np.array(v, dtype=float) for k, v in inp.migration_level_zone.items()})  # fmt: skip
    change(inp)
    return inp


def _set(name, value):
    return lambda inp: setattr(inp, name, value)


def _arr(name, fn):
    def change(inp):
        a = np.array(getattr(inp, name), dtype=float)
        fn(a)
        setattr(inp, name, a)
    return change


def _neg_first(a):
    a.flat[0] = -0.5


#: (case, change, message, field, found, expected); found/expected None = not checked
RULES = [
    ("names differ", _set("zone_names", ("A",)), "zone names and codes differ in number", "zones", 1, "2"),
    ("horizon", _set("horizon", 2020), "horizon must be after the base year", "settings", 2020, "> 2025"),
    ("fertility source", _set("fertility_source", "guess"), "unknown fertility source", "settings", "guess",
     "rates or hadwiger"),
    ("population shape", _set("population", np.zeros((2, 2, 5))), "population has the wrong shape", "population",
     (2, 2, 5), "(2, 2, 100)"),
    ("population NaN", _arr("population", lambda a: a.__setitem__((0, 0, 3), np.nan)),
     "population has missing or non-numeric values", "population", None, None),
    ("negative population", _arr("population", _neg_first), "negative population", "population", -0.5, ">= 0"),
    ("negative fertility", _arr("fertility_rates", lambda a: a.__setitem__(20, -0.01)), "negative fertility rate",
     "fertility_rates", None, None),
    ("negative FR", _arr("fertility_level_region", _neg_first), "negative level factor", "fertility_level_region",
     None, None),
    ("negative DK", _arr("mortality_level_zone", _neg_first), "negative level factor", "mortality_level_zone",
     None, None),
    ("zero level factor is allowed", _arr("fertility_level_zone", lambda a: a.__setitem__(0, 0.0)), None, None,
     None, None),
    ("share of boys 0", _set("share_boys", 0.0), "share of boys must be between 0 and 1", "settings", 0.0,
     "0 < x < 1"),
    ("death prob above 1", _arr("death_prob", lambda a: a.__setitem__((0, 50), 1.5)),
     "death probabilities outside 0–1", "death_prob", None, None),
    ("death prob times DK", _arr("mortality_level_zone", lambda a: a.__setitem__(0, 50.0)),
     "death probability × level factors exceeds 1", "mortality_level_zone", None, None),
    ("rc missing", lambda inp: inp.rc_params.pop("EUF"), "Rogers–Castro parameters for EUF missing", "rc_params",
     None, None),
    ("rc negative", lambda inp: inp.rc_params["IUF"].__setitem__((0, 0, 0), -1.0),
     "negative Rogers–Castro parameter for IUF", "rc_params", None, None),
    ("region factor missing", lambda inp: inp.migration_level_region.pop("EIFN"),
     "region level factors for EIFN missing", "migration_level_region", None, None),
    ("region factor negative", lambda inp: inp.migration_level_region["EUF"].__setitem__(0, -1.0),
     "negative level factor for EUF", "migration_level_region", None, None),
    ("zone factor missing", lambda inp: inp.migration_level_zone.pop("IUF"), "zone level factors for IUF missing",
     "migration_level_zone", None, None),
    ("zone factor negative", lambda inp: inp.migration_level_zone["IUF"].__setitem__(1, -1.0),
     "negative level factor for IUF", "migration_level_zone", None, None),
    ("immigration shares", _set("immigration_share", np.array([0.7, 0.5])),
     "immigration shares must be >= 0 and sum to 1", "immigration_share", 1.2, "1"),
    ("fertility shape", _set("fertility_rates", np.zeros(50)), "fertility_rates has the wrong shape",
     "fertility_rates", (50,), "(100,)"),
    ("immigration share shape", _set("immigration_share", np.array([1.0])), "immigration_share has the wrong shape",
     "immigration_share", (1,), "(2,)"),
    ("negative domestic", _arr("domestic_inmigration", _neg_first), "negative in-migration from the rest of Norway",
     "domestic_inmigration", None, None),
]  # fmt: skip


@pytest.mark.parametrize(("case", "change", "message", "field", "found", "expected"), RULES, ids=[r[0] for r in RULES])
def test_each_rule_reports_its_field_and_values(case, change, message, field, found, expected):
    """Every rule of :meth:`ProjectionInputs.validate` names the input FIELD (the reader maps it
    to sheet!cell) and, where it has them, the value found and what was expected."""
    inp = _break(synthetic_inputs(2, 3), change)
    if message is None:
        inp.validate()
        return
    with pytest.raises(InputErrors) as e:
        inp.validate()
    hit = [x for x in e.value.errors if x.message == message]
    assert len(hit) == 1, [x.message for x in e.value.errors]
    assert hit[0].location.table == field
    if found is not None:
        assert hit[0].found == found
    if expected is not None:
        assert hit[0].expected == expected
