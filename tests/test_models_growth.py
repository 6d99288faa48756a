"""Unit tests for xinzhi.models.growth (compounding, targets, share projection, backing out growth, Cobb–Douglas)."""
import math

import numpy as np
import pytest

from xinzhi.models import growth as g


def test_compound_and_path():
    assert g.compound(10, 2) == pytest.approx(1.21)
    path = g.growth_path(10, 3, start=100)
    assert len(path) == 4
    assert path == pytest.approx([100, 110, 121, 133.1])
    assert g.growth_path(5, 0) == pytest.approx([1.0])


def test_doubling_time_exact_and_rule_of_70():
    assert g.doubling_time(7) == pytest.approx(math.log(2) / math.log(1.07))
    assert g.compound(7, g.doubling_time(7)) == pytest.approx(2.0)
    assert g.rule_of_70(7) == pytest.approx(10.0)
    # the rule of 70 is a good approximation at the rates seen in practice
    assert abs(g.rule_of_70(2) - g.doubling_time(2)) < 0.4
    assert g.doubling_time(0) == math.inf and g.doubling_time(-3) == math.inf
    assert g.rule_of_70(0) == math.inf


def test_bad_rates_rejected():
    with pytest.raises(ValueError):
        g.compound(-100, 1)
    with pytest.raises(ValueError):
        g.doubling_time(float("nan"))
    with pytest.raises(ValueError):
        g.share_path(120, 5, 3, 2)


def test_share_path_rises_when_part_grows_faster():
    path = g.share_path(67.1, 7, 4, 10)
    assert path[0] == pytest.approx(67.1)
    assert np.all(np.diff(path) > 0)
    assert path[-1] < 100
    # equal growth keeps the share; slower growth lowers it
    assert g.share_path(40, 5, 5, 8) == pytest.approx([40] * 9)
    assert g.share_path(40, 2, 6, 5)[-1] < 40
    # one year by hand: 0.671*1.07 / (0.671*1.07 + 0.329*1.04)
    expected = 100 * 0.671 * 1.07 / (0.671 * 1.07 + 0.329 * 1.04)
    assert g.share_path(67.1, 7, 4, 1)[-1] == pytest.approx(expected)


def test_rest_growth_inverts_the_weighted_average():
    total = 0.6 * 8 + 0.4 * 3
    assert g.rest_growth(total, 8, 60) == pytest.approx(3.0)
    with pytest.raises(ValueError):
        g.rest_growth(5, 5, 100)


def test_article_exercise():
    # 2023: whole industry +6 %, high-tech +7.0 %, high-tech share 67.1 % at the end of the year
    s_prev = 67.1 * 1.06 / 1.07                # last year's share: this year's × (1 + G) ÷ (1 + g1)
    assert s_prev < 67.1  # the share rose, as the article says ("均高于上年")
    rest = g.rest_growth(6.0, 7.0, s_prev)
    assert rest == pytest.approx(4.02, abs=0.01)
    # with this year's share as a stand-in for last year's, the answer barely moves
    assert g.rest_growth(6.0, 7.0, 67.1) == pytest.approx(3.96, abs=0.01)
    # consistency: the shares implied next year match
    assert g.share_path(s_prev, 7.0, rest, 1)[-1] == pytest.approx(67.1, abs=1e-9)


def test_plus_and_times():
    assert g.additive_output(5, 0) == 5
    assert g.multiplicative_output(5, 0) == 0
    assert g.multiplicative_output(4, 3) == 12


def test_short_plank_is_a_minimum_and_the_cross_effect():
    """短板 is min() (Leontief): only the shorter plank matters; in a product each factor raises the
    other's effect (complementarity), in a sum neither does."""
    assert g.weakest_link_output(6, 3) == 3
    assert g.weakest_link_output(6, 0) == 0
    assert g.weakest_link_output(9, 3) == g.weakest_link_output(6, 3)       # more of the long plank: nothing
    assert g.weakest_link_output(6, 4) - g.weakest_link_output(6, 3) == 1   # the short one: all of it
    # one more unit of technology adds: 1 in a sum whatever industry is; industry itself in a product
    for industry in (2, 8):
        assert g.additive_output(industry, 4) - g.additive_output(industry, 3) == 1
        assert g.multiplicative_output(industry, 4) - g.multiplicative_output(industry, 3) == industry


def test_cobb_douglas():
    assert g.cobb_douglas(1, 100, 100, 0.3) == pytest.approx(100)
    assert g.cobb_douglas(1.2, 100, 100, 0.3) == pytest.approx(120)
    # constant returns to scale
    assert g.cobb_douglas(1, 200, 200, 0.4) == pytest.approx(200)
    ys = g.cobb_douglas(1, np.array([1.0, 4.0]), 4.0, 0.5)
    assert ys == pytest.approx([2.0, 4.0])
    with pytest.raises(ValueError):
        g.cobb_douglas(1, 1, 1, 1.5)


def test_growth_decomposition_adds_up():
    d = g.growth_decomposition((1, 100, 100), (1.1, 120, 105), 0.4)
    assert d["A"] + d["K"] + d["L"] == pytest.approx(d["total_log"])
    assert d["share_A"] + d["share_K"] + d["share_L"] == pytest.approx(100)
    y0 = g.cobb_douglas(1, 100, 100, 0.4)
    y1 = g.cobb_douglas(1.1, 120, 105, 0.4)
    assert d["total"] == pytest.approx(100 * (y1 / y0 - 1))
    # only A moves: all of the growth is TFP
    only_a = g.growth_decomposition((1, 100, 100), (1.3, 100, 100), 0.3)
    assert only_a["share_A"] == pytest.approx(100)
    assert only_a["K"] == pytest.approx(0)
    same = g.growth_decomposition((1, 100, 100), (1, 100, 100), 0.3)
    assert math.isnan(same["share_A"])
    with pytest.raises(ValueError):
        g.growth_decomposition((0, 1, 1), (1, 1, 1), 0.3)


# --- targets such as “15% a year” ------------------------------------------------------------

def test_growth_multiple_compounds():
    assert g.compound(15, 5) == pytest.approx(1.15 ** 5)
    assert g.compound(0, 10) == 1.0
    assert g.compound(-10, 2) == pytest.approx(0.81)


def test_path_starts_at_start_and_has_n_plus_one_points():
    values = g.growth_path(15, 3, start=100)
    assert values == pytest.approx([100, 115, 132.25, 152.0875])
    assert list(g.growth_path(7, 0, start=5)) == [5]


def test_linear_path_adds_the_same_amount_each_year():
    assert g.linear_path(15, 3, start=100) == pytest.approx([100, 115, 130, 145])
    # compounding beats adding after the first year for positive growth
    assert g.growth_path(15, 10)[-1] > g.linear_path(15, 10)[-1]


def test_doubling_time_at_target_rates():
    assert g.doubling_time(100) == pytest.approx(1.0)
    assert g.doubling_time(15) == pytest.approx(math.log(2) / math.log(1.15))
    assert (1.15) ** g.doubling_time(15) == pytest.approx(2.0)
    assert g.rule_of_70(7) == pytest.approx(10.0)
    assert abs(g.doubling_time(7) - g.rule_of_70(7)) < 0.3
    assert g.doubling_time(0) == math.inf
    assert g.doubling_time(-5) == math.inf
    assert g.rule_of_70(0) == math.inf


def test_implied_rate_inverts_growth_multiple():
    assert g.implied_rate(100, 200, g.doubling_time(15)) == pytest.approx(15)
    assert g.implied_rate(3.86, 4.2, 4) == pytest.approx(((4.2 / 3.86) ** 0.25 - 1) * 100)
    assert g.implied_rate(5, 5, 3) == pytest.approx(0)


@pytest.mark.parametrize("rate", [math.nan, math.inf, -100, -150, "15", True])
def test_bad_rates_are_refused(rate):
    with pytest.raises(ValueError):
        g.compound(rate, 3)


@pytest.mark.parametrize("years", [-1, 2.5, 1000, math.nan, True])
def test_bad_years_are_refused(years):
    with pytest.raises(ValueError):
        g.growth_path(5, years)


def test_implied_rate_of_a_value_shrinking_to_nothing():
    assert g.implied_rate(100, 0, 5) == -100
    assert math.isinf(g.doubling_time(-100))


@pytest.mark.parametrize("args", [(0, 1, 1), (1, -1, 1), (1, 2, 0), (math.nan, 1, 1)])
def test_implied_rate_refuses_bad_input(args):
    with pytest.raises(ValueError):
        g.implied_rate(*args)
