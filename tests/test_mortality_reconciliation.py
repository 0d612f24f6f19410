"""Death probabilities (handbook §3.7; docs/model.md "Mortality", decision 4):
q[k, s, a] = DODRAT[s, a] · DR_t · DK_k; with region reconciliation q is multiplied by
Σ BEF1 · DODRAT · DR_t / Σ BEF1 · q so that the zones' deaths sum to the region's deaths
computed without zone factors; where the zones would have no deaths at all q is left as it is
(reference-model ambiguity A2). Expected values are typed here.
"""

from __future__ import annotations

import numpy as np
import pytest

from regbef_excel.engine.mortality import death_probabilities

K, A1 = 3, 100
DODRAT = np.vstack([np.linspace(0.001, 0.3, A1), np.linspace(0.0008, 0.25, A1)])
DK = np.array([0.9, 1.1, 1.3])
DR = 0.95


def _plain():
    return np.array(
        [[[DODRAT[s, a] * DR * DK[k] for a in range(A1)] for s in range(2)] for k in range(K)]
    )


def test_without_reconciliation_by_default():
    pop = np.full((K, 2, A1), 10.0)
    q = death_probabilities(pop, DODRAT, DR, DK)
    np.testing.assert_allclose(q, _plain(), rtol=1e-14)


@pytest.mark.parametrize("persons", [1000.0, 0.01])  # 0.01: fewer than one death in the region
def test_reconciliation_matches_the_region_deaths(persons):
    pop = np.zeros((K, 2, A1))
    pop[0, 0, 80] = persons
    pop[2, 1, 60] = 2 * persons
    region = (persons * DODRAT[0, 80] + 2 * persons * DODRAT[1, 60]) * DR
    zoned = persons * DODRAT[0, 80] * DR * DK[0] + 2 * persons * DODRAT[1, 60] * DR * DK[2]
    q = death_probabilities(pop, DODRAT, DR, DK, reconcile=True)
    np.testing.assert_allclose(q, _plain() * (region / zoned), rtol=1e-13)
    assert (pop * q).sum() == pytest.approx(region, rel=1e-13)


def test_reconciliation_without_any_deaths_leaves_q_unchanged():
    q = death_probabilities(np.zeros((K, 2, A1)), DODRAT, DR, DK, reconcile=True)
    np.testing.assert_allclose(q, _plain(), rtol=1e-14)
    q0 = death_probabilities(np.full((K, 2, A1), 5.0), DODRAT, DR, np.zeros(K), reconcile=True)
    np.testing.assert_array_equal(q0, 0.0)
