"""Who may have union legal aid (法律援助条件): rules as data, per federation.

A rule is a set of facts that must all hold (``conditions``), e.g.::

    {"is_member": true, "in_hardship": true}       members in hardship
    {"is_migrant": true, "matter": ["wages"]}      migrant workers in wage-arrears cases

Boolean facts are the applicant's flags (FACTS); ``matter`` lists the matters the rule covers;
``min_workers`` asks for a group case of at least that many workers. A federation that keeps its own
active rules (``EligibilityRule`` rows) replaces the defaults below for its whole subtree; the
nearest federation up the tree with rules of its own wins.

``evaluate(facts, federation)`` answers ``(rule or None, a sentence)``: the first rule met, or why
none is met (what each rule still lacks).
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gonghui.legal.models_intake import EligibilityRule, Matter

# The boolean facts a rule may ask for, with what the applicant reads.
FACTS = {
    "is_member": gettext_lazy("工会会员"),
    "is_migrant": gettext_lazy("农民工"),
    "is_woman": gettext_lazy("女职工"),
    "is_disabled": gettext_lazy("残疾职工"),
    "is_elderly": gettext_lazy("老年职工"),
    "is_model_worker": gettext_lazy("劳动模范"),
    "is_union_officer": gettext_lazy("因履行工会职责被诉的工会干部"),
    "in_hardship": gettext_lazy("困难职工"),
}
CONDITION_KEYS = set(FACTS) | {"matter", "min_workers"}


@dataclass(frozen=True)
class DefaultRule:
    """A rule in code (the defaults), shaped like an EligibilityRule row."""

    code: str
    label: str
    conditions: dict = field(default_factory=dict)
    order: int = 100
    active: bool = True
    pk: None = None


DEFAULT_RULES = (
    DefaultRule("member_hardship", gettext_lazy("困难职工会员"), {"is_member": True, "in_hardship": True}, 10),
    DefaultRule("migrant_arrears", gettext_lazy("农民工追讨欠薪"), {"is_migrant": True, "matter": [Matter.WAGES.value]},
                20),
    DefaultRule("model_worker", gettext_lazy("劳动模范"), {"is_model_worker": True}, 30),
    DefaultRule("union_officer", gettext_lazy("工会干部因履行职责被诉或权益受侵害"), {"is_union_officer": True}, 40),
)


def rule_label(code: str) -> str:
    """A rule's name from its code (the defaults' names; a federation's own code as is)."""
    if not code:
        return ""
    return next((str(r.label) for r in DEFAULT_RULES if r.code == code), code)


def check_conditions(conditions) -> dict:
    """The conditions cleaned, or ValueError with a Chinese sentence (the rules page shows it)."""
    if not isinstance(conditions, dict) or not conditions:
        raise ValueError(_("请至少选择一项条件。"))
    unknown = set(conditions) - CONDITION_KEYS
    if unknown:
        raise ValueError(_("不认识的条件：%(keys)s。") % {"keys": "、".join(sorted(unknown))})
    cleaned = {}
    for key, value in conditions.items():
        if key == "matter":
            matters = [value] if isinstance(value, str) else list(value or [])
            if not matters or any(m not in Matter.values for m in matters):
                raise ValueError(_("争议事项的选项不正确。"))
            cleaned[key] = matters
        elif key == "min_workers":
            try:
                number = int(value)
            except (TypeError, ValueError):
                raise ValueError(_("涉及职工人数应为整数。")) from None
            if number < 1:
                raise ValueError(_("涉及职工人数至少为1。"))
            cleaned[key] = number
        elif value:
            cleaned[key] = True
    if not cleaned:
        raise ValueError(_("请至少选择一项条件。"))
    return cleaned


def rules_for(federation):
    """The active rules that apply under ``federation``: the nearest federation's own, else the
    defaults. Returns (rules, the federation they belong to or None for the defaults)."""
    if federation is None:
        return list(DEFAULT_RULES), None
    chain = [federation, *reversed(list(federation.ancestors()))]
    rows = list(EligibilityRule.objects.unscoped().filter(federation__in=chain, active=True)
                .select_related("federation"))
    for node in chain:
        own = sorted((r for r in rows if r.federation_id == node.pk), key=lambda r: (r.order, r.pk))
        if own:
            return own, node
    return list(DEFAULT_RULES), None


def describe(conditions: dict) -> str:
    """「农民工 + 工资报酬（欠薪）」: a rule's conditions in words."""
    parts = []
    for key, value in conditions.items():
        if key in FACTS and value:
            parts.append(str(FACTS[key]))
        elif key == "matter":
            parts.append("/".join(str(Matter(m).label) for m in value if m in Matter.values))
        elif key == "min_workers":
            parts.append(_("涉及%(n)s人以上") % {"n": value})
    return " + ".join(parts)


def _missing(conditions: dict, facts: dict) -> list[str]:
    missing = []
    for key, value in conditions.items():
        if key in FACTS:
            if value and not facts.get(key):
                missing.append(str(FACTS[key]))
        elif key == "matter":
            if facts.get("matter") not in value:
                missing.append(_("争议事项为%(matters)s") % {
                    "matters": "/".join(str(Matter(m).label) for m in value if m in Matter.values)})
        elif key == "min_workers":
            if int(facts.get("workers_involved") or 1) < int(value):
                missing.append(_("涉及%(n)s人以上") % {"n": value})
    return missing


def evaluate(facts: dict, federation=None):
    """(the first rule ``facts`` meet, or None; a sentence saying which rule applies or why not)."""
    rules, _owner = rules_for(federation)
    reasons = []
    for rule in rules:
        missing = _missing(rule.conditions, facts)
        if not missing:
            return rule, _("符合法律援助条件“%(rule)s”（%(conditions)s）。") % {
                "rule": rule.label, "conditions": describe(rule.conditions)}
        reasons.append(_("“%(rule)s”还需要：%(missing)s") % {"rule": rule.label, "missing": "、".join(missing)})
    if not rules:
        return None, _("本会尚未设定法律援助条件，由法律援助中心逐案审查。")
    return None, _("暂不符合法律援助条件：%(reasons)s。法律援助中心仍会审查您的申请，也可以先申请法律咨询。") % {
        "reasons": "；".join(reasons)}


def facts_of(legal_case) -> dict:
    """The facts of a stored application, for evaluate()."""
    facts = {key: bool(getattr(legal_case, key)) for key in FACTS}
    facts["matter"] = legal_case.matter
    facts["workers_involved"] = legal_case.workers_involved
    return facts
