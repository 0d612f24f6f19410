"""Demo panels: the REAL region-year panel (residual method) and the SYNTHETIC thesis-shaped one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from regbef_excel.data.panels import (
    TABLE9_ORDER,
    THESIS_TABLE1,
    _nearest_pd,
    demo_panel,
    real_panel,
    synthetic_panel,
    thesis_correlation,
)
from regbef_excel.errors import InputError


@pytest.fixture(scope="module")
def real():
    return real_panel()


@pytest.fixture(scope="module")
def syn():
    return synthetic_panel()


def test_real_panel_shape_and_keys(real):
    d = real.data
    assert real.kind == "real"
    assert d["region"].nunique() == 159  # TØI BA regions
    assert sorted(d["year"].unique()) == list(range(2006, 2026))
    assert len(d) == 159 * 20
    assert not d.duplicated(["region", "year"]).any()


def test_residual_identity(real):
    """Population change = births − deaths + net migration (the residual accounting)."""
    d = real.data
    lhs = d["befolkningsendring"].to_numpy(dtype=float)
    rhs = (d["fodte_est"] - d["dode_est"] + d["nettoflytting"]).to_numpy()
    np.testing.assert_allclose(lhs, rhs, atol=1e-6)
    rate = d["nettoflytting"] / d["befolkning"] * 1000
    np.testing.assert_allclose(d["nettoinnflytting"], rate, rtol=1e-9)


def test_real_panel_plausible_national_totals(real):
    by_year = real.data.groupby("year")[["nettoflytting", "fodte_est", "dode_est"]].sum()
    # Total net migration includes immigration: positive every year, the 2022 refugee peak.
    assert (by_year["nettoflytting"] > 0).all()
    assert by_year.loc[2022, "nettoflytting"] > 40_000
    # Births and deaths of the right size for Norway (about 50–62 000 and 40–46 000).
    assert by_year["fodte_est"].between(48_000, 64_000).all()
    assert by_year["dode_est"].between(36_000, 50_000).all()


def test_shares_dummies_and_unemployment(real):
    d = real.data
    for c in ("alder1", "alder67"):
        assert d[c].between(0, 1).all()
    assert (d["by"] <= d["by100"]).all()
    assert d.groupby("region")["by"].nunique().max() == 1  # time-invariant
    assert set(d.loc[d["by"] == 1, "region"]) >= {"Oslo/Bærum", "Bergen", "Trondheim"}
    early, late = d[d["year"] < 2011], d[d["year"] >= 2011]
    assert early["arbeidsledighet"].isna().all() and early["nledighet"].isna().all()
    assert late["arbeidsledighet"].notna().all()
    assert late["arbeidsledighet"].between(0.3, 8).all()
    assert late.groupby("year")["nledighet"].nunique().max() == 1  # national: by year only
    assert late.loc[late["year"] == 2020, "nledighet"].iloc[0] > 4.5  # the 2020 spike


def test_every_estimated_variable_is_labelled(real):
    est = set(real.estimated)
    assert est == {"nettoinnflytting", "arbeidsledighet", "nettoflytting", "fodte_est", "dode_est"}
    for v in real.variables:
        if v.estimated:
            assert "estimert" in v.label_nb.lower() and "estimated" in v.label_en.lower()
            assert v.note_nb.startswith("ESTIMERT") and v.note_en.startswith("ESTIMATED")
    assert any("UTLANDET" in n for n in real.notes_nb)  # total net migration, abroad included
    assert set(real.variable_table()["key"]) == {v.key for v in real.variables}


def test_county_level():
    p = real_panel("county", 2015, 2016)
    assert p.data["region"].nunique() == 15 and len(p.data) == 30


def test_bad_arguments():
    with pytest.raises(InputError, match="unknown region level"):
        real_panel("kommune")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="years out of range"):
        real_panel(first_year=2005)
    with pytest.raises(InputError, match="unknown panel"):
        demo_panel("thesis")


def test_synthetic_matches_thesis_table_1_and_9(syn):
    d = syn.data
    assert syn.kind == "synthetic"
    assert d["region"].nunique() == 85 and sorted(d["year"].unique()) == list(range(1994, 2018))
    for name, (mean, sd, _, _) in THESIS_TABLE1.items():
        assert d[name].mean() == pytest.approx(mean, abs=1e-9)
        assert d[name].std(ddof=1) == pytest.approx(sd, rel=1e-9)
    target = _nearest_pd(thesis_correlation().to_numpy())
    got = d[list(TABLE9_ORDER)].corr().to_numpy()
    np.testing.assert_allclose(got, target, atol=1e-9)
    # and the target is the printed table 9 up to its rounding
    assert np.abs(target - thesis_correlation().to_numpy()).max() < 0.0051
    assert d.groupby("year")["nledighet"].nunique().max() == 1
    assert d.groupby("region")["by"].nunique().max() == 1 and d["by"].sum() == 6 * 24


def test_synthetic_labelled_everywhere(syn):
    assert "SYNTETISK" in syn.title_nb and "SYNTHETIC" in syn.title_en
    for v in syn.variables:
        assert "SYNTETISK" in v.label_nb and "SYNTHETIC" in v.label_en
        assert v.note_nb.startswith("SYNTETISK") and v.note_en.startswith("SYNTHETIC")
    assert all(isinstance(n, str) for n in syn.notes_nb)
    assert "SYNTETISKE DATA" in syn.notes_nb[0] and "SYNTHETIC DATA" in syn.notes_en[0]


def test_synthetic_is_deterministic():
    a, b = synthetic_panel(7).data, synthetic_panel(7).data
    pd.testing.assert_frame_equal(a, b)
