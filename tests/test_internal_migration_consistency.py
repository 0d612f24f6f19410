"""The consistency adjustment of internal migration (handbook §3.22; docs/model.md decision 7 and
reference-model ambiguity A3): IIF = IIF'·IKORR with IKORR[s, a] = Σ_j IUF / Σ_j IIF' per sex
and age; where no zone has in-migrants of a sex × age but some have out-migrants, these are
spread in proportion to the zones' total uncorrected in-migration, and equally over the zones
when every zone's total is zero. Expected values are hand computations.
"""

from __future__ import annotations

import numpy as np

from regbef_excel.engine.flows import consistency_adjust, internal_inflow

K, A1 = 3, 100


def test_ikorr_scales_each_sex_and_age_to_the_out_migrants():
    iuf = np.zeros((K, 2, A1))
    raw = np.zeros((K, 2, A1))
    iuf[:, 0, 20] = [4.0, 2.0, 0.0]  # 6 out-migrants
    raw[:, 0, 20] = [1.0, 1.0, 2.0]  # 4 uncorrected in-migrants: IKORR = 1.5
    iif = consistency_adjust(iuf, raw)
    np.testing.assert_allclose(iif[:, 0, 20], [1.5, 1.5, 3.0], rtol=1e-14)
    assert np.count_nonzero(iif) == 3


def test_out_migrants_without_in_migrants_follow_the_zones_total_in_migration():
    iuf = np.zeros((K, 2, A1))
    raw = np.zeros((K, 2, A1))
    raw[:, 1, 30] = [1.0, 3.0, 0.0]  # zone totals 1 : 3 : 0
    iuf[:, 1, 30] = [1.0, 1.0, 2.0]
    iuf[:, 1, 80] = [2.0, 0.0, 2.0]  # nobody of this age arrives anywhere: 4 persons to place
    iif = consistency_adjust(iuf, raw)
    np.testing.assert_allclose(iif[:, 1, 80], [1.0, 3.0, 0.0], rtol=1e-14)
    np.testing.assert_allclose(iif[:, 1, 30], [1.0, 3.0, 0.0], rtol=1e-14)


def test_out_migrants_are_spread_equally_when_no_zone_has_in_migrants():
    iuf = np.zeros((K, 2, A1))
    iuf[:, 0, 25] = [3.0, 0.0, 1.5]
    iuf[:, 1, 60] = [0.0, 0.6, 0.0]
    iif = consistency_adjust(iuf, np.zeros((K, 2, A1)))
    np.testing.assert_allclose(iif[:, 0, 25], [1.5, 1.5, 1.5], rtol=1e-14)
    np.testing.assert_allclose(iif[:, 1, 60], [0.2, 0.2, 0.2], rtol=1e-14)
    np.testing.assert_allclose(iif.sum(axis=0), iuf.sum(axis=0), rtol=1e-14)


def test_internal_inflow_reports_only_negative_zone_totals():
    # IIF'_k = (Σ IUF_k + RINF_k)⁺ · profile_k; the shortfall is what a negative total lacked
    iuf = np.zeros((K, 2, A1))
    iuf[0, 0, 30] = 2.0
    iuf[1, 1, 40] = 0.4
    iuf[2, 0, 50] = 1.0
    dist = np.zeros((K, 2, A1))
    dist[:, 0, 25] = 0.5
    dist[:, 1, 25] = 0.5
    iif, shortfall = internal_inflow(iuf, np.array([1.0, 0.0, -3.5]), dist)
    np.testing.assert_array_equal(shortfall, [0.0, 0.0, 2.5])
    # totals 3, 0.4, 0 before the consistency step: 3.4 in, 3.4 out
    np.testing.assert_allclose(iif.sum(axis=(1, 2)), [3.4 * 3 / 3.4, 0.4, 0.0], rtol=1e-12)
