"""Unit tests for xinzhi.models.industry (purity nines, site scores, logistic fit, carbon cost)."""
import math

import numpy as np
import pytest

from xinzhi.models import industry as m


# --- purity nines -------------------------------------------------------------------------------
def test_impurity_ppm_powers_of_ten():
    assert m.impurity_ppm(3) == pytest.approx(1000)
    assert m.impurity_ppm(5) == pytest.approx(10)
    assert m.impurity_ppm(7) == pytest.approx(0.1)
    ppm = m.impurity_ppm([3, 4, 5, 6, 7])
    assert np.allclose(ppm[:-1] / ppm[1:], 10)   # each extra nine cuts impurity tenfold


def test_purity_text_and_grams():
    assert m.purity_percent_text(1) == "90%"
    assert m.purity_percent_text(2) == "99%"
    assert m.purity_percent_text(3) == "99.9%"
    assert m.purity_percent_text(6) == "99.9999%"
    # 5N: 10 ppm by mass = 10 grams per tonne
    assert m.impurity_grams(5, 1000) == pytest.approx(10)
    with pytest.raises(ValueError):
        m.impurity_grams(5, -1)
    with pytest.raises(ValueError):
        m.impurity_ppm(float("nan"))
    with pytest.raises(ValueError):
        m.purity_percent_text(4.5)


# --- site choice --------------------------------------------------------------------------------
def test_weighted_scores_is_weighted_mean():
    scores = [[5, 1], [1, 5], [3, 3]]
    assert np.allclose(m.weighted_scores([1, 1], scores), [3, 3, 3])
    assert np.allclose(m.weighted_scores([3, 1], scores), [4, 2, 3])
    # scaling every weight changes nothing
    assert np.allclose(m.weighted_scores([6, 2], scores), m.weighted_scores([3, 1], scores))
    assert m.ranking(m.weighted_scores([3, 1], scores)) == [0, 2, 1]


def test_weighted_scores_rejects_bad_weights():
    with pytest.raises(ValueError):
        m.weighted_scores([0, 0], [[1, 2]])
    with pytest.raises(ValueError):
        m.weighted_scores([-1, 2], [[1, 2]])
    with pytest.raises(ValueError):
        m.weighted_scores([1, 2, 3], [[1, 2]])


def test_ranking_ties_keep_order():
    assert m.ranking([2, 3, 3, 1]) == [1, 2, 0, 3]


def test_sensitivity_and_rank_change():
    scores = [[5, 1], [1, 5]]
    grid = np.linspace(0, 4, 41)
    table = m.weight_sensitivity([1, 1], scores, 0, grid)
    assert table.shape == (41, 2)
    # weight 0 on factor 0: only factor 1 counts
    assert np.allclose(table[0], [1, 5])
    # the lead changes where factor 0's weight passes factor 1's weight (1)
    changes = m.rank_changes([1, 1], scores, 0, grid)
    assert len(changes) == 1 and changes[0] == pytest.approx(1.0)   # a tie goes to the first place
    # all-zero weights give a NaN row, not an error
    assert np.all(np.isnan(m.weight_sensitivity([0, 1], scores, 1, [0.0])[0]))


# --- logistic -----------------------------------------------------------------------------------
def test_logistic_shape():
    assert m.logistic(2020, 100, 2020, 0.5) == pytest.approx(50)
    assert m.logistic(1900, 100, 2020, 0.5) < 1e-10
    assert m.logistic(2200, 100, 2020, 0.5) == pytest.approx(100)
    assert np.all(np.diff(m.logistic(np.arange(2000, 2050), 80, 2025, 0.3)) > 0)


def test_fit_recovers_known_curve():
    years = np.arange(2015, 2025)
    shares = m.logistic(years, 100, 2024.5, 0.45)
    fit = m.fit_logistic(years, shares, ceiling=100)
    assert fit.midpoint == pytest.approx(2024.5, abs=1e-4)
    assert fit.steepness == pytest.approx(0.45, abs=1e-5)
    assert fit.residual_sd < 1e-6


def test_fit_on_noisy_points_beats_start_and_band_contains_fit():
    years = np.array([2019, 2020, 2021, 2022, 2023, 2024])
    shares = np.array([4.7, 5.4, 13.4, 25.6, 31.6, 40.9])   # China's NEV share (see data/auto_nev.csv)
    fit = m.fit_logistic(years, shares)
    sse = np.sum((shares - fit(years)) ** 2)
    # the least-squares solution is a minimum: nudging either parameter makes it worse
    for d0, dk in [(0.1, 0), (-0.1, 0), (0, 0.01), (0, -0.01)]:
        other = m.logistic(years, 100, fit.midpoint + d0, fit.steepness + dk)
        assert np.sum((shares - other) ** 2) > sse
    low, high = m.projection_band(fit, np.arange(2019, 2036))
    centre = fit(np.arange(2019, 2036))
    assert np.all(low <= centre) and np.all(centre <= high)
    assert np.all(low >= 0) and np.all(high <= 100)
    assert np.all(high - low > 0)


def test_fit_rejects_impossible_data():
    with pytest.raises(ValueError):
        m.fit_logistic([2020, 2021], [1, 2])
    with pytest.raises(ValueError):
        m.fit_logistic([2020, 2021, 2022], [10, 20, 120])   # above the ceiling
    with pytest.raises(ValueError):
        m.fit_logistic([2020, 2021, 2022], [30, 20, 10])    # falling


# --- carbon -------------------------------------------------------------------------------------
def test_lifetime_emissions_and_cost():
    # 100 g/km over 200,000 km is 20 tonnes; plus 5 t from production
    assert m.lifetime_emissions_t(5, 100, 200_000) == pytest.approx(25)
    assert m.carbon_cost(80, 25) == pytest.approx(2000)
    result = m.compare_cars(100, 100_000, petrol=(4, 200), electric=(8, 50))
    assert result["petrol"].total_t == pytest.approx(24)
    assert result["electric"].total_t == pytest.approx(13)
    assert result["electric"].use_t == pytest.approx(5)
    assert result["petrol"].cost - result["electric"].cost == pytest.approx(1100)
    with pytest.raises(ValueError):
        m.lifetime_emissions_t(1, -5, 10)
    with pytest.raises(ValueError):
        m.carbon_cost(math.inf, 1)


def test_breakeven_km():
    # 4 t more at the factory, 100 g/km less on the road: even after 40,000 km
    assert m.breakeven_km(petrol=(6, 150), electric=(10, 50)) == pytest.approx(40_000)
    assert m.breakeven_km(petrol=(10, 150), electric=(6, 50)) == 0.0     # better from the start
    assert m.breakeven_km(petrol=(6, 50), electric=(10, 150)) is None    # never catches up
    at = m.breakeven_km(petrol=(6, 150), electric=(10, 50))
    assert m.lifetime_emissions_t(6, 150, at) == pytest.approx(m.lifetime_emissions_t(10, 50, at))
