"""Hardship policy parameters (政策参数) as data.

A federation (the city or a district) records PolicyVersion rows with an effective date; the rules
in force for a union on a day are the newest version effective that day at the nearest
ancestor-or-self that has one, merged over DEFAULTS (the common national practice). Money and
ratios are strings (Decimal-able), never floats.
"""

import copy
import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULTS = {
    "min_living_standard": "800",      # 低保标准, yuan per person per month (districts set their own)
    "min_wage": "2000",                # counted for a member able to work but not working
    "relative_multiple": "2",
    "accident_share": "0.8",
    "exclusions": [
        "multiple_homes", "motor_vehicle", "enterprise", "private_school", "refused_visit",
        "concealed_income", "refused_work",
    ],
    "notice_days": 5,                   # 公示 working days
    "large_aid_threshold": "20000",     # one aid above this needs the city's approval (services_aid)
    # Yuan per household per year, by category and aid kind. Medical caps of deep and accident
    # hardship lie above the large-aid threshold: a serious illness is where large aid happens.
    "aid_caps": {
        "deep": {"living": "10000", "medical": "30000", "education": "10000", "other": "5000"},
        "relative": {"living": "5000", "medical": "10000", "education": "5000", "other": "3000"},
        "accident": {"living": "5000", "medical": "30000", "education": "5000", "other": "3000"},
    },
    "golden_autumn": {"college": "5000", "high_school": "2000", "other": "1000"},   # golden_autumn.py
    "exit_months": 6,                   # months above the standard before exit
    "followup_months": [3, 6, 12],
    "pairing_contact_days": 90,
    "review_every_months": 12,
}

DEFAULT_LABEL = _("默认（全国通行做法）")

# The parameters the console form edits, with their labels (the others keep their defaults unless a
# version's JSON sets them).
EDITABLE = {
    "min_living_standard": _("低保标准（元/人·月）"),
    "min_wage": _("最低工资标准（元/月）"),
    "relative_multiple": _("相对困难倍数"),
    "accident_share": _("意外致困支出占年收入比例"),
    "notice_days": _("公示天数（工作日）"),
    "large_aid_threshold": _("大额救助需市总审批的金额（元）"),
}


def _merge(base: dict, over: dict) -> dict:
    merged = copy.deepcopy(base)
    for key, value in (over or {}).items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _today() -> datetime.date:
    return timezone.localdate()


def policy_for(node, on: datetime.date | None = None):
    """The newest version effective on ``on`` at the nearest ancestor-or-self that has one; None
    means the built-in defaults."""
    from gonghui.hardship.models import PolicyVersion

    on = on or _today()
    paths = [*node.ancestor_paths(), node.path]
    candidates = list(
        PolicyVersion.objects.unscoped().select_related("node")
        .filter(node__path__in=paths, effective_from__lte=on)
        .order_by("-node__depth", "-effective_from", "-id")[:1]
    )
    return candidates[0] if candidates else None


def params_of(version) -> dict:
    return _merge(DEFAULTS, version.params if version is not None else {})


def params_for(node, on: datetime.date | None = None) -> dict:
    """DEFAULTS merged with the params of the version in force."""
    return params_of(policy_for(node, on))


def param(node, key: str, on: datetime.date | None = None):
    """One value (money and ratios as strings: wrap them in Decimal)."""
    return params_for(node, on)[key]


def label_of(version) -> str:
    return version.label if version is not None else str(DEFAULT_LABEL)


def decimal_param(params: dict, key: str) -> Decimal:
    return Decimal(str(params[key]))
