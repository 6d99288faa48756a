"""Growth accounting: the course's TFP must be PWT's own TFP (rtfpna), and the decomposition must add up."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from xinzhi.data import load
from xinzhi.models import accounting as acc

# float32 storage of PWT's variables limits agreement to about 1e-7; 1e-6 leaves room, 1e-3 is the brief's bar.
TOLERANCE = 1e-6


@pytest.fixture(scope="module")
def pwt() -> pd.DataFrame:
    return load("pwt1001_6countries").table


# --- the reproduction of rtfpna ------------------------------------------------------------------

@pytest.mark.parametrize("country", list(acc.COUNTRIES))
def test_reproduces_rtfpna_every_year(pwt, country):
    """For every year where PWT publishes rtfpna, the course's index agrees with it."""
    ours = acc.tfp_index(pwt, country)
    theirs = pwt[pwt["countrycode"] == country].set_index("year")["rtfpna"].dropna()
    assert len(theirs) >= 60
    missing = sorted(set(theirs.index) - set(ours.dropna().index))
    assert not missing, f"{country}: no computed TFP for years {missing}"
    rel = (ours.reindex(theirs.index) / theirs - 1).abs()
    assert rel.max() < TOLERANCE, f"{country}: largest difference {rel.max():.2e} in {rel.idxmax()}"


def test_reproduction_table_covers_all_years_with_inputs(pwt):
    check = acc.reproduce_rtfpna(pwt)
    assert list(check["country"]) == list(acc.COUNTRIES)
    assert (check["max_rel_diff"] < TOLERANCE).all()
    assert (check["last"] == 2019).all()
    first = dict(zip(check["country"], check["first"]))
    assert first == {"CHN": 1956, "USA": 1954, "DEU": 1954, "JPN": 1954, "KOR": 1957, "IND": 1954}
    # every year from the first to 2019 is compared
    assert (check["years"] == check["last"] - check["first"] + 1).all()


def test_labour_input_without_hours_does_not_reproduce(pwt):
    """The check can fail: leave hours out of labour input and the series differ by percent, not 1e-7."""
    check = acc.reproduce_rtfpna(pwt, hours=False)
    assert (check["max_rel_diff"] > 0.01).all()


def test_missing_hours_are_filled_with_us_hours_growth(pwt):
    """China and India have no hours before 1970; treating that as 'no change' breaks the match there only."""
    check = acc.reproduce_rtfpna(pwt, hours_fill=None).set_index("country")["max_rel_diff"]
    assert check["CHN"] > 0.01 and check["IND"] > 0.01
    assert (check[["USA", "DEU", "JPN", "KOR"]] < TOLERANCE).all()
    parts = acc.growth_components(pwt, "CHN")
    assert parts.loc[1960, "hours_imputed"] and not parts.loc[1980, "hours_imputed"]
    usa = acc.growth_components(pwt, "USA")
    assert parts.loc[1960, "hours_growth"] == pytest.approx(usa.loc[1960, "hours_growth"])


def test_current_year_share_does_not_reproduce(pwt):
    """PWT averages the labour share over the two years (Törnqvist); one year's share is close but not equal."""
    # direct computation with the current-year share
    worst = 0.0
    for country in acc.COUNTRIES:
        g = pwt[pwt["countrycode"] == country].set_index("year").sort_index()
        labour = g["emp"] * g["avh"] * g["hc"]
        d = np.log(g["rgdpna"]).diff() - (1 - g["labsh"]) * np.log(g["rkna"]).diff() - g["labsh"] * np.log(labour).diff()
        lna = d.cumsum()
        index = np.exp(lna - lna.loc[2017])
        rel = (index / g["rtfpna"] - 1).abs().dropna()
        worst = max(worst, rel.max())
    assert worst > 1e-4


# --- the decomposition ---------------------------------------------------------------------------

@pytest.mark.parametrize("share", [None, 0.3, 0.45])
@pytest.mark.parametrize("country", list(acc.COUNTRIES))
def test_contributions_add_up(pwt, country, share):
    start, end = acc.clamp_period(pwt, country, 1960, 2019)
    d = acc.decompose(pwt, country, start, end, capital_share=share)
    total = d.capital + d.employment + d.hours + d.human_capital + d.tfp
    assert total == pytest.approx(d.gdp, abs=1e-9)
    assert d.labour == pytest.approx(d.employment + d.hours + d.human_capital)
    assert sum(d.parts().values()) == pytest.approx(d.gdp)


def test_gdp_growth_is_average_log_growth(pwt):
    g = pwt[pwt["countrycode"] == "CHN"].set_index("year")["rgdpna"]
    d = acc.decompose(pwt, "CHN", 1978, 2019)
    assert d.gdp == pytest.approx(100 * math.log(g[2019] / g[1978]) / 41)
    assert d.years == 41


def test_tfp_contribution_matches_rtfpna_growth(pwt):
    """Over any period, the TFP contribution is the average log growth of PWT's rtfpna."""
    for country, start, end in [("CHN", 1978, 2019), ("CHN", 2008, 2019), ("KOR", 1970, 1997), ("USA", 1995, 2005)]:
        r = pwt[pwt["countrycode"] == country].set_index("year")["rtfpna"]
        d = acc.decompose(pwt, country, start, end)
        assert d.tfp == pytest.approx(100 * math.log(r[end] / r[start]) / (end - start), abs=1e-5)


def test_fixed_share_changes_the_residual(pwt):
    low = acc.decompose(pwt, "CHN", 1978, 2019, capital_share=0.3)
    high = acc.decompose(pwt, "CHN", 1978, 2019, capital_share=0.5)
    # capital grew faster than labour in China, so a larger capital share leaves less for TFP
    assert high.capital > low.capital and high.tfp < low.tfp
    assert high.labour_share == pytest.approx(0.5)


def test_pure_function_on_a_made_up_economy():
    """Y = A K^a L^(1-a) with known A: the residual recovers A's growth exactly."""
    years = np.arange(2000, 2011)
    a, g_a, g_k, g_l = 0.35, 0.02, 0.06, 0.01
    k = np.exp(g_k * (years - 2000))
    emp = np.exp(g_l * (years - 2000))
    y = np.exp(g_a * (years - 2000)) * k ** a * emp ** (1 - a)
    table = pd.DataFrame({"countrycode": "XXX", "year": years, "rgdpna": y, "rkna": k, "emp": emp,
                          "avh": 1.0, "hc": 1.0, "labsh": 1 - a, "rtfpna": np.nan})
    d = acc.decompose(table, "XXX", 2000, 2010)
    assert d.tfp == pytest.approx(100 * g_a)
    assert d.capital == pytest.approx(100 * a * g_k)
    assert d.employment == pytest.approx(100 * (1 - a) * g_l)
    assert d.hours == pytest.approx(0) and d.human_capital == pytest.approx(0)
    index = acc.tfp_index(table, "XXX", base_year=2010)
    assert index.loc[2000] == pytest.approx(math.exp(-10 * g_a))


# --- periods and errors ----------------------------------------------------------------------------

def test_available_and_clamped_periods(pwt):
    assert acc.available_period(pwt, "CHN") == (1956, 2019)
    assert acc.available_period(pwt, "KOR") == (1957, 2019)
    assert acc.clamp_period(pwt, "CHN", 1950, 2019) == (1956, 2019)
    assert acc.clamp_period(pwt, "USA", 2019, 1990) == (1990, 2019)
    assert acc.clamp_period(pwt, "USA", 2019, 2019) == (2018, 2019)
    assert acc.clamp_period(pwt, "USA", 1930, 1940) == (1954, 1955)


def test_bad_periods_and_shares_raise(pwt):
    with pytest.raises(ValueError):
        acc.decompose(pwt, "CHN", 2000, 2000)
    with pytest.raises(ValueError):
        acc.decompose(pwt, "CHN", 1950, 2019)   # China's inputs start later
    with pytest.raises(ValueError):
        acc.decompose(pwt, "CHN", 1978, 2019, capital_share=1.5)
    with pytest.raises(ValueError):
        acc.decompose(pwt, "CHN", 1978, 2019, capital_share=float("nan"))
    with pytest.raises(ValueError):
        acc.growth_components(pwt, "FRA")


def test_imputed_labour_shares_found(pwt):
    assert acc.imputed_share_years(pwt, "CHN")[:2] == (1952, 1992)
    assert acc.imputed_share_years(pwt, "CHN")[2] == pytest.approx(0.592, abs=5e-4)
    assert acc.imputed_share_years(pwt, "KOR")[:2] == (1953, 1970)
    assert acc.imputed_share_years(pwt, "IND")[:2] == (1950, 1975)
    assert acc.imputed_share_years(pwt, "USA") is None


def test_rebase():
    s = pd.Series([2.0, 4.0, 8.0], index=[2000, 2001, 2002])
    assert list(acc.rebase(s, 2001)) == [0.5, 1.0, 2.0]
    with pytest.raises(ValueError):
        acc.rebase(s, 1999)
