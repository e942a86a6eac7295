"""The assessment rules (困难类别认定), as plain functions over plain figures.

Household monthly net income per person =
    (income of the last 12 months − rigid spending on illness, disability, schooling beyond
     compulsory education and housing) ÷ household size ÷ 12,
where a member able to work but not working is counted at the local minimum wage (their declared
income, if lower, is raised to 12 × min_wage).

- an exclusion that applies (and is listed in the policy's "exclusions")  → 不符合 (none);
- at or below the local standard (低保标准)                                → 深度困难 (deep);
- at or below relative_multiple × the standard                            → 相对困难 (relative);
- a sudden event (serious illness, accident, disaster: a spending row marked sudden) made the
  year's hardship spending exceed accident_share × the household's annual income → 意外致困 (accident);
- otherwise                                                               → 不符合 (none).

The comparisons are made on whole-year amounts (net ≤ standard × size × 12), so no rounding of the
per-capita figure ever moves a household across a boundary.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gonghui.hardship.policy import decimal_param

DEEP, RELATIVE, ACCIDENT, NONE = "deep", "relative", "accident", "none"
RIGID_KINDS = ("illness", "disability", "schooling", "housing")
CENT = Decimal("0.01")
# An amount above this per year is a typing error (ten million yuan), not a hardship household.
MAX_ANNUAL_AMOUNT = Decimal("10000000")


def check_amount(value, *, label: str = "") -> Decimal:
    """An annual amount in yuan: not negative, not absurd, at most two decimals."""
    what = label or _("金额")
    try:
        amount = Decimal(str(value))
    except Exception:  # noqa: BLE001 (decimal raises several kinds)
        raise ValidationError(_("%(what)s应为数字，请核对。") % {"what": what}, code="amount_format") from None
    if not amount.is_finite():
        raise ValidationError(_("%(what)s应为数字，请核对。") % {"what": what}, code="amount_format")
    if amount < 0:
        raise ValidationError(_("%(what)s不能为负数，请填写实际金额（没有请填0）。") % {"what": what},
                              code="amount_negative")
    if amount > MAX_ANNUAL_AMOUNT:
        raise ValidationError(
            _("%(what)s超过一千万元，明显不合理，请核对是否多填了位数（单位为元/年）。") % {"what": what},
            code="amount_absurd")
    if amount != amount.quantize(CENT):
        raise ValidationError(_("%(what)s最多保留两位小数（分）。") % {"what": what}, code="amount_cents")
    return amount


@dataclass
class Figures:
    """What the rules need about one household (all amounts per year, in yuan)."""

    household_size: int
    incomes: list[Decimal] = field(default_factory=list)
    # Declared annual income of each member able to work but not working (0 when none).
    able_not_working: list[Decimal] = field(default_factory=list)
    # Rigid spending by kind (illness, disability, schooling, housing).
    spending: dict[str, Decimal] = field(default_factory=dict)
    # The part of that spending caused by a sudden event (serious illness, accident, disaster).
    sudden_spending: Decimal = Decimal(0)
    # Exclusion codes found for the household.
    exclusions: list[str] = field(default_factory=list)


@dataclass
class Result:
    category: str
    per_capita_monthly_income: Decimal
    excluded_by: list[str]
    inputs: dict


def compute(figures: Figures, params: dict) -> Result:
    if figures.household_size < 1:
        raise ValidationError(_("家庭人口至少为1人（户主本人）。"), code="household_size")
    standard = decimal_param(params, "min_living_standard")
    min_wage = decimal_param(params, "min_wage")
    multiple = decimal_param(params, "relative_multiple")
    share = decimal_param(params, "accident_share")
    size = figures.household_size

    declared = sum(figures.incomes, Decimal(0))
    imputed = sum((max(Decimal(0), min_wage * 12 - own) for own in figures.able_not_working), Decimal(0))
    annual_income = declared + imputed
    rigid = sum((figures.spending.get(kind, Decimal(0)) for kind in RIGID_KINDS), Decimal(0))
    net = annual_income - rigid
    per_capita = (net / size / 12).quantize(CENT, rounding=ROUND_HALF_UP)

    listed = set(params.get("exclusions", []))
    excluded_by = sorted(code for code in set(figures.exclusions) if code in listed)

    yearly_standard = standard * size * 12
    if excluded_by:
        category = NONE
    elif net <= yearly_standard:
        category = DEEP
    elif net <= yearly_standard * multiple:
        category = RELATIVE
    elif figures.sudden_spending > 0 and rigid > share * annual_income:
        category = ACCIDENT
    else:
        category = NONE

    inputs = {
        "household_size": size,
        "declared_income": str(declared),
        "imputed_income": str(imputed),
        "annual_income": str(annual_income),
        "rigid_spending": {kind: str(figures.spending.get(kind, Decimal(0))) for kind in RIGID_KINDS},
        "rigid_total": str(rigid),
        "sudden_spending": str(figures.sudden_spending),
        "net_income": str(net),
        "min_living_standard": str(standard),
        "min_wage": str(min_wage),
        "relative_multiple": str(multiple),
        "accident_share": str(share),
        "exclusions_found": sorted(set(figures.exclusions)),
    }
    return Result(category=category, per_capita_monthly_income=per_capita, excluded_by=excluded_by,
                  inputs=inputs)
