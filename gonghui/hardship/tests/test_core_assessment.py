"""The assessment rules (assessment.py): each rule and its boundary, without the database."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from gonghui.hardship.assessment import Figures, check_amount, compute
from gonghui.hardship.policy import DEFAULTS


def run(**kw):
    kw.setdefault("household_size", 1)
    return compute(Figures(**kw), DEFAULTS)


def test_deep_at_the_standard_exactly():
    # 800 × 12 = 9600 a year for one person: at the standard → deep.
    result = run(incomes=[D("9600")])
    assert result.category == "deep" and result.per_capita_monthly_income == D("800.00")


def test_one_cent_above_the_standard_is_relative():
    assert run(incomes=[D("9600.01")]).category == "relative"


def test_relative_at_twice_the_standard_and_none_above():
    assert run(household_size=3, incomes=[D("57600")]).category == "relative"  # 1600 × 3 × 12
    assert run(household_size=3, incomes=[D("57600.01")]).category == "none"


def test_rigid_spending_is_deducted_and_divided_by_size():
    result = run(household_size=2, incomes=[D("40000")],
                 spending={"illness": D("15000"), "schooling": D("5000"), "housing": D("800")})
    # (40000 − 20800) / 2 / 12 = 800 → deep
    assert result.per_capita_monthly_income == D("800.00") and result.category == "deep"
    assert result.inputs["rigid_total"] == "20800"


def test_spending_of_other_kinds_is_not_deducted():
    result = run(incomes=[D("10000")], spending={"travel": D("5000")})
    assert result.inputs["rigid_total"] == "0" and result.category == "relative"


def test_able_but_not_working_member_counted_at_min_wage():
    # Two people, no declared income, one able to work: 2000 × 12 = 24000 imputed → 1000/person → relative.
    result = run(household_size=2, able_not_working=[D("0")])
    assert result.inputs["imputed_income"] == "24000" and result.per_capita_monthly_income == D("1000.00")
    assert result.category == "relative"
    # Without that member counted the household would be deep.
    assert run(household_size=2).category == "deep"


def test_able_not_working_with_some_income_is_raised_to_min_wage_only():
    result = run(household_size=2, incomes=[D("6000")], able_not_working=[D("6000")])
    assert result.inputs["annual_income"] == "24000"


def test_accident_when_sudden_spending_exceeds_share_of_income():
    # Income 100000 for 2 (4166/month gross); illness 81000 after a sudden event: net 19000 → 791 → deep.
    # Use a bigger household income so that net stays above the relative line.
    result = run(household_size=1, incomes=[D("200000")], spending={"illness": D("160000.01")},
                 sudden_spending=D("160000.01"))
    # net 39999.99 / 12 = 3333.33 > 1600: not relative; 160000.01 > 0.8 × 200000 → accident
    assert result.category == "accident"
    at_share = run(household_size=1, incomes=[D("200000")], spending={"illness": D("160000")},
                   sudden_spending=D("160000"))
    assert at_share.category == "none"  # exactly 80% is not "exceeds"


def test_accident_needs_a_sudden_event():
    result = run(incomes=[D("200000")], spending={"illness": D("170000")}, sudden_spending=D("0"))
    assert result.category == "none"


@pytest.mark.parametrize("code", ["multiple_homes", "motor_vehicle", "enterprise", "private_school",
                                  "refused_visit", "concealed_income", "refused_work"])
def test_each_exclusion_excludes(code):
    result = run(incomes=[D("0")], exclusions=[code])
    assert result.category == "none" and result.excluded_by == [code]


def test_exclusion_not_listed_in_the_policy_does_not_apply():
    params = {**DEFAULTS, "exclusions": ["enterprise"]}
    result = compute(Figures(household_size=1, exclusions=["motor_vehicle"]), params)
    assert result.category == "deep" and result.excluded_by == []


def test_policy_standard_changes_the_category():
    params = {**DEFAULTS, "min_living_standard": "1000"}
    assert compute(Figures(household_size=1, incomes=[D("12000")]), params).category == "deep"
    assert compute(Figures(household_size=1, incomes=[D("12000")]), DEFAULTS).category == "relative"


def test_empty_household_refused():
    with pytest.raises(ValidationError, match="家庭人口至少为1人"):
        run(household_size=0)


@pytest.mark.parametrize(("value", "message"), [
    ("-1", "不能为负数"), ("10000000.01", "超过一千万元"), ("abc", "应为数字"), ("12.345", "最多保留两位小数"),
    ("NaN", "应为数字"),
])
def test_bad_amounts(value, message):
    with pytest.raises(ValidationError, match=message):
        check_amount(value)


def test_amount_bounds_accepted():
    assert check_amount("0") == D("0") and check_amount("10000000") == D("10000000")
