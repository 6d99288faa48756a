"""事后看 (look-back): the verdict rules, and data/lookback.csv pointing at rows that can be compared."""
from __future__ import annotations

import pytest

from xinzhi.data import UNITS, convert, load
from xinzhi.models.lookback import Figure, judge, shown
from xinzhi.widgets.lookback import facts, latest_year, lookback_table, pairs

AS_OF = 2025


def T(value, year=2025, unit="%", qualifier="", status="target", period="全年"):
    return Figure(value, unit, year, status, qualifier, period)


def O(value, year=2025, unit="%", qualifier="", status="preliminary"):  # noqa: E743 - an outcome
    return Figure(value, unit, year, status, qualifier)


# --- the rules -----------------------------------------------------------------------------------

@pytest.mark.parametrize("target,outcome,code", [
    (T(5.5, qualifier="约"), O(5.5), "met"),                        # "左右" is reached at the number
    (T(5.5, qualifier="约"), O(5.4), "missed"),
    (T(6, qualifier="不低于"), O(6.0), "met"),
    (T(67, qualifier="超过"), O(67), "missed"),                     # "超过 67" needs more than 67
    (T(67, qualifier="超过"), O(67, qualifier="超过"), "met"),       # … and "超过 67" is more than 67
    (T(5000, unit="家"), O(6000, unit="家", qualifier="超过"), "met"),
    (T(8000, unit="家"), O(6000, unit="家", qualifier="超过"), "unknown"),  # a lower bound below: can't tell
    (T(12, year=2027, unit="万亿元"), O(94545, unit="亿元"), "not_due"),   # an earlier year is progress
    (T(3.5, year=2030), None, "not_due"),
    (T(7.5), None, "unknown"),
    (T(1.7, period="目标（未注明年份）"), None, "unknown"),
    (T(50, qualifier="超过", status="estimate"), O(47.9, status="final"), "missed"),
])
def test_verdicts(target, outcome, code):
    assert judge(target, outcome, AS_OF, convert).code == code


def test_units_are_converted_not_compared_raw():
    v = judge(T(1.6, unit="万亿元"), O(16500, unit="亿元"), AS_OF, convert)
    assert v.code == "met"
    v = judge(T(12, year=2027, unit="万亿元"), O(94545, unit="亿元", year=2025), AS_OF, convert)
    assert "79%" in v.reason
    with pytest.raises(ValueError):
        judge(T(1.6, unit="万亿元"), O(16500, unit="亿元"), AS_OF)


def test_estimates_give_provisional_verdicts_and_forecasts_say_so():
    v = judge(T(3.3, qualifier="约"), O(3.3, qualifier="约", status="estimate"), AS_OF)
    assert v.code == "met" and v.provisional and "预计" in v.reason
    assert not judge(T(5.5), O(5.6), AS_OF).provisional
    assert judge(T(1600, unit="万辆", status="estimate"), O(1649, unit="万辆"), AS_OF).label == "达到预测"
    assert judge(T(50, status="estimate"), O(47.9), AS_OF).label == "低于预测"
    assert judge(T(50), O(47.9), AS_OF).label == "未达到目标"


def test_progress_in_points_for_rates():
    v = judge(T(3.4, year=2027, qualifier="超过"), O(3.3, qualifier="约", status="estimate"), AS_OF)
    assert v.code == "not_due" and "0.1个百分点" in v.reason


def test_shown():
    assert shown(3000000, "units") == "300万辆"
    assert shown(5.5, "%", "约") == "约5.5%"


# --- the data ------------------------------------------------------------------------------------

def test_pairs_point_at_comparable_rows():
    t = facts()
    gaps = set(load("gaps").table["id"])
    as_of = latest_year()
    for rec in load("lookback").table.to_dict("records"):
        target = t.loc[rec["target_id"]]
        assert target["status"] in ("target", "estimate"), rec["id"]
        for key in ("outcome_id", "partial_id"):
            if rec[key]:
                row = t.loc[rec[key]]
                assert row["status"] != "target", (rec["id"], key)
                assert row["unit"] == target["unit"] or UNITS[row["unit"]][0] == UNITS[target["unit"]][0], rec["id"]
                assert int(row["year"]) <= int(target["year"]), (rec["id"], "an outcome after the target year")
        if rec["partial_id"]:
            assert t.loc[rec["partial_id"]]["period"] != "全年", rec["id"]
        if rec["gap_id"]:
            assert rec["gap_id"] in gaps, rec["id"]
        if not rec["outcome_id"] and int(target["year"]) <= as_of:
            assert rec["gap_id"], f"{rec['id']}: an outcome that could not be found names the gap row that says where we looked"
        assert rec["notes"].strip(), rec["id"]


def test_every_pair_gets_a_verdict_and_the_table_cites_every_publisher():
    ps = pairs()
    assert len(ps) == len(load("lookback").table)
    df, line = lookback_table()
    assert list(df.columns) == ["项目", "目标", "结果", "判断", "说明"]
    for p in ps:
        assert p.verdict.code in ("met", "missed", "not_due", "unknown")
        for row in (p.target, p.outcome, p.partial):
            if row is not None:
                assert str(row["publisher"]) in line
