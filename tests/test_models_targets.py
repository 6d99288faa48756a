import math

import pytest

from xinzhi.models import targets


def test_growth_multiple_compounds():
    assert targets.growth_multiple(15, 5) == pytest.approx(1.15 ** 5)
    assert targets.growth_multiple(0, 10) == 1.0
    assert targets.growth_multiple(-10, 2) == pytest.approx(0.81)


def test_path_starts_at_start_and_has_n_plus_one_points():
    values = targets.path(15, 3, start=100)
    assert values == pytest.approx([100, 115, 132.25, 152.0875])
    assert targets.path(7, 0, start=5) == [5]


def test_linear_path_adds_the_same_amount_each_year():
    assert targets.linear_path(15, 3, start=100) == pytest.approx([100, 115, 130, 145])
    # compounding beats adding after the first year for positive growth
    assert targets.path(15, 10)[-1] > targets.linear_path(15, 10)[-1]


def test_doubling_time_exact_and_rule_of_70():
    assert targets.doubling_time(100) == pytest.approx(1.0)
    assert targets.doubling_time(15) == pytest.approx(math.log(2) / math.log(1.15))
    assert (1.15) ** targets.doubling_time(15) == pytest.approx(2.0)
    assert targets.rule_of_70(7) == pytest.approx(10.0)
    assert abs(targets.doubling_time(7) - targets.rule_of_70(7)) < 0.3
    assert targets.doubling_time(0) == math.inf
    assert targets.doubling_time(-5) == math.inf
    assert targets.rule_of_70(0) == math.inf


def test_implied_rate_inverts_growth_multiple():
    assert targets.implied_rate(100, 200, targets.doubling_time(15)) == pytest.approx(15)
    assert targets.implied_rate(3.86, 4.2, 4) == pytest.approx(((4.2 / 3.86) ** 0.25 - 1) * 100)
    assert targets.implied_rate(5, 5, 3) == pytest.approx(0)


@pytest.mark.parametrize("rate", [math.nan, math.inf, -100, -150, "15", True])
def test_bad_rates_are_refused(rate):
    with pytest.raises(ValueError):
        targets.growth_multiple(rate, 3)


@pytest.mark.parametrize("years", [-1, 2.5, 1000, math.nan, True])
def test_bad_years_are_refused(years):
    with pytest.raises(ValueError):
        targets.path(5, years)


@pytest.mark.parametrize("args", [(0, 1, 1), (1, -1, 1), (1, 2, 0), (math.nan, 1, 1)])
def test_implied_rate_refuses_bad_input(args):
    with pytest.raises(ValueError):
        targets.implied_rate(*args)
