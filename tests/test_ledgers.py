"""China's growth accounting on both ledgers: 国家统计局's GDP with PWT's inputs, and PWT's own.

The official figures are averages over stated spans and a year-by-year index from one yearbook table
(data/china_gdp_official.csv). On the official ledger the inputs are PWT's, unchanged; only GDP
growth, and so the residual, moves. The rtfpna
reproduction itself is tested in test_models_accounting.py and does not depend on the ledger.
"""
from __future__ import annotations

import math

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from xinzhi.data import load
from xinzhi.models import accounting as acc
from xinzhi.widgets import tfp


@pytest.fixture(scope="module")
def pwt():
    return load("pwt1001_6countries").table


def test_an_official_statement_in_log_points():
    assert acc.average_log_growth(39, rate_pct=9.5) == pytest.approx(100 * math.log(1.095))
    assert acc.average_log_growth(39, increase_times=33.5) == pytest.approx(100 * math.log(34.5) / 39)
    for bad in ({"rate_pct": 9.5, "increase_times": 33.5}, {}, {"rate_pct": -100.0}, {"increase_times": -1.0},
                {"rate_pct": float("nan")}):
        with pytest.raises(ValueError):
            acc.average_log_growth(39, **bad)
    with pytest.raises(ValueError):
        acc.average_log_growth(0, rate_pct=9.5)


def test_the_two_forms_of_one_statement_agree():
    """“增长33.5倍，年均增长9.5%” (1978–2017): the level and the rounded average rate say the same thing."""
    rows = load("china_gdp_official").table
    span = rows[(rows["base_year"] == 1978) & (rows["year"] == 2017)].set_index("indicator")["value"]
    from_level = acc.average_log_growth(39, increase_times=float(span["gdp_real_increase_times"]))
    rate = float(span["gdp_real_avg_growth"])
    low, high = (acc.average_log_growth(39, rate_pct=rate + d) for d in (-0.05, 0.05))
    assert low <= from_level <= high


def test_every_official_span_is_read(pwt):
    spans = tfp.official_spans()
    table = load("china_gdp_official").table
    stated = table[table["indicator"] != tfp.OFFICIAL_INDEX]
    indexes = table[table["indicator"] == tfp.OFFICIAL_INDEX]
    assert len(spans) == stated.groupby(["base_year", "year"]).ngroups + indexes.groupby(["document", "base_year"]).ngroups
    assert spans["index"].sum() == len(tfp.official_indexes()) >= 1
    assert spans["in_pwt"].sum() >= 2, "the official ledger needs spans inside PWT's years"
    first, last = acc.available_period(pwt, "CHN")
    for row in spans.itertuples():
        assert row.in_pwt == (first <= row.start and row.end <= last)
        assert 0 < row.gdp < 20


def test_both_ledgers_share_the_inputs_and_differ_only_in_gdp():
    spans = tfp.official_spans()
    for start, end in spans.loc[spans["in_pwt"], ["start", "end"]].itertuples(index=False):
        official = tfp.china_decomposition(start, end, "official")
        own = tfp.china_decomposition(start, end, "pwt")
        for part in ("capital", "employment", "hours", "human_capital", "labour_share"):
            assert getattr(official, part) == getattr(own, part), (start, end, part)
        assert official.tfp - own.tfp == pytest.approx(official.gdp - own.gdp)
        for d in (official, own):                           # the parts still add up to GDP growth
            assert d.capital + d.labour + d.tfp == pytest.approx(d.gdp)
        # PWT's GDP for China grows more slowly than the official series over every span
        assert own.gdp < official.gdp and own.tfp < official.tfp, (start, end)


def test_a_span_without_an_official_figure_is_left_empty():
    start, end = next((s, s + 3) for s in range(1980, 2016) if tfp.official_growth(s, s + 3) is None)
    assert tfp.china_decomposition(start, end, "official") is None
    assert tfp.china_decomposition(start, end, "pwt") is not None
    with pytest.raises(ValueError):
        tfp.china_decomposition(start, end, "other")


def test_the_six_economy_table_shows_china_on_both_ledgers():
    start, end = tfp.default_period()
    table = tfp.decomposition_table(start, end).frame
    china = [label for label in table["国家"] if label.startswith("中国")]
    assert len(china) == 2 and any("官方" in c for c in china) and any("PWT" in c for c in china)
    assert len(table) == len(acc.COUNTRIES) + 1


def test_the_widget_opens_on_the_official_ledger_and_switching_moves_china():
    widget = tfp.GrowthAccounting()
    try:
        assert widget.controls["ledger"].value == "official"
        assert (widget.controls["start"].value, widget.controls["end"].value) == tfp.default_period()
        china = list(acc.COUNTRIES).index("CHN")
        official_gdp = widget.gdp_marks.get_ydata()[china]
        official_tfp = widget.bars["tfp"][china].get_height()
        assert "官方账本" in widget.summary.value
        widget.controls["ledger"].value = "pwt"
        assert widget.last_error is None
        assert widget.gdp_marks.get_ydata()[china] < official_gdp
        assert widget.bars["tfp"][china].get_height() < official_tfp
        assert "PWT 账本" in widget.summary.value
        # back on the official ledger, a period with no official figure leaves China empty and says why
        widget.controls["ledger"].value = "official"
        widget.controls["start"].value = 2008
        widget.controls["end"].value = 2019
        assert widget.last_error is None
        assert math.isnan(widget.gdp_marks.get_ydata()[china])
        assert "只有这几个时期" in widget.summary.value
    finally:
        plt.close(widget.fig)


def index_levels(table: pd.DataFrame) -> dict[int, float]:
    base = int(table["base_year"].iloc[0])
    return {base: 100.0} | dict(zip(table["year"].astype(int), table["value"].astype(float)))


def test_each_index_is_one_table_of_one_release():
    for table in tfp.official_indexes():
        for column in ("document", "vintage", "date", "publisher", "base_year"):
            assert table[column].nunique() == 1, column
        assert table["year"].is_unique and table["year"].is_monotonic_increasing
        assert (table["year"] > table["base_year"]).all()


def test_any_two_years_of_an_index_make_an_official_span():
    """Inside an index every span has a figure: the two years' levels divided, nothing else joined in."""
    spans = tfp.official_spans()
    stated = set(zip(spans.loc[~spans["index"], "start"], spans.loc[~spans["index"], "end"]))
    for table in tfp.official_indexes():
        levels = index_levels(table)
        years = sorted(levels)
        checked = 0
        for i, start in enumerate(years):
            for end in years[i + 1:]:
                if (start, end) in stated:
                    continue
                gdp, ids = tfp.official_growth(start, end)
                assert gdp == pytest.approx(100 * math.log(levels[end] / levels[start]) / (end - start))
                used = table[table["id"].isin(ids)]
                assert set(used["year"]) == {start, end} - {int(table["base_year"].iloc[0])}
                checked += 1
        assert checked == len(years) * (len(years) - 1) // 2 - sum(1 for s, e in stated if s in levels and e in levels)
        # one year past the table's end: no figure (another release is never joined on)
        assert tfp.official_growth(years[1], years[-1] + 1) is None or (years[1], years[-1] + 1) in stated


def test_a_span_inside_an_index_on_both_ledgers():
    table = tfp.official_indexes()[0]
    levels = index_levels(table)
    years = sorted(levels)
    start, end = years[len(years) // 3], years[2 * len(years) // 3]
    official = tfp.china_decomposition(start, end, "official")
    own = tfp.china_decomposition(start, end, "pwt")
    assert official.gdp == pytest.approx(100 * math.log(levels[end] / levels[start]) / (end - start))
    assert official.capital == own.capital and official.labour == own.labour
    assert official.tfp - own.tfp == pytest.approx(official.gdp - own.gdp)
    text = tfp.explain("CHN", start, end).data
    assert "官方账本" in text and table["document"].iloc[0].split()[0] in text


def test_an_edited_official_figure_reaches_the_ledger(tmp_path, monkeypatch):
    """What the ledger works out from the official figures is remembered between updates, and worked out again
    as soon as the data file changes."""
    import shutil

    from xinzhi.data import data_dir

    folder = tmp_path / "data"
    shutil.copytree(data_dir(), folder)
    monkeypatch.setenv("XINZHI_DATA_DIR", str(folder))
    spans = tfp.official_spans()
    row = spans[~spans["index"] & spans["in_pwt"]].iloc[0]
    before, ids = tfp.official_growth(int(row.start), int(row.end))
    assert tfp.official_growth(int(row.start), int(row.end)) == (before, ids)
    path = folder / "china_gdp_official.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    edited = table["id"].isin(ids)
    table.loc[edited, "value"] = [f"{2 * float(v):g}" for v in table.loc[edited, "value"]]
    table.to_csv(path, index=False)
    after, _ = tfp.official_growth(int(row.start), int(row.end))
    assert after > before
    assert tfp.official_spans().set_index(["start", "end"]).loc[(row.start, row.end), "gdp"] == pytest.approx(after)
