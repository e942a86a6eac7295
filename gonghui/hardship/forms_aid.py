"""Field input of the aid pages (funds, aid requests and decisions, plans, pairings).

The forms only parse what was typed; the rules (caps, budgets, who may do what) are in services_aid.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.widgets import DateInput
from gonghui.hardship.models import AidKind, Fund, MeasureKind, Pairing, PairingContact, PlanMeasure


def _date(label, *, required=True, help_text="", missing=""):
    return forms.DateField(label=label, required=required, help_text=help_text, widget=DateInput(),
                           error_messages={"required": missing, "invalid": _("请按2026-11-25的格式填写日期。")})


def _money(label, *, required=True, help_text="", missing=""):
    # Text, not a number input: the service parses it and says what is wrong in Chinese.
    return forms.CharField(label=label, required=required, max_length=20, help_text=help_text,
                           widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
                           error_messages={"required": missing})


class UnionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{'　' * max(obj.depth - 1, 0)}{obj.display_name}"


class FundChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.union.display_name} · {obj}（余额 ¥{obj.remaining:,.2f}）"


class FundForm(forms.Form):
    union = UnionChoiceField(label=_("设立资金的工会"), queryset=None, empty_label="——",
                             error_messages={"required": _("请选择设立资金的工会。"),
                                             "invalid_choice": _("只能选择您有审批权限的工会。")})
    year = forms.IntegerField(label=_("年度"), error_messages={"required": _("请填写年度，如2026。"),
                                                             "invalid": _("请填写年度，如2026。")})
    source = forms.ChoiceField(label=_("资金来源"), choices=[("", "——")] + Fund.Source.choices,
                               error_messages={"required": _("请选择资金来源。")})
    budget = _money(_("年度预算（元）"), missing=_("请填写年度预算。"))
    name = forms.CharField(label=_("资金名称"), max_length=100, required=False,
                           help_text=_("如“2026年市级财政专项帮扶资金”；不填则按年度和来源命名。"))
    note = forms.CharField(label=_("备注"), max_length=300, required=False)

    def __init__(self, *args, unions, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("year", timezone.localdate().year)
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = unions


class FundEditForm(forms.Form):
    budget = _money(_("年度预算（元）"), help_text=_("可以追加或调减，但不能少于已支出的金额。"),
                    missing=_("请填写年度预算。"))
    name = forms.CharField(label=_("资金名称"), max_length=100, required=False)
    note = forms.CharField(label=_("备注"), max_length=300, required=False)


class AidRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("救助类别"), choices=[("", "——")] + AidKind.choices,
                             error_messages={"required": _("请选择救助类别。")})
    amount = _money(_("救助金额（元）"), missing=_("请填写救助金额。"))
    fund = FundChoiceField(label=_("支出资金"), queryset=None, empty_label="——",
                           error_messages={"required": _("请选择支出的资金。"),
                                           "invalid_choice": _("只能选择建档工会或其上级工会本年度的资金。")})
    reason = forms.CharField(label=_("申请事由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("请写明申请事由，如病情、费用和已报销的情况。")})

    def __init__(self, *args, funds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = funds


class DecisionNoteForm(forms.Form):
    note = forms.CharField(label=_("审批意见"), max_length=500, required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("不予批准的理由"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("请填写不予批准的理由，申请的工会会看到它。")})


class PlanGoalForm(forms.Form):
    goal = forms.CharField(label=_("帮扶目标"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("如“一年内家庭有一人稳定就业，人均收入超过低保标准”。"))


class MeasureForm(forms.Form):
    kind = forms.ChoiceField(label=_("帮扶措施"), choices=[("", "——")] + MeasureKind.choices,
                             error_messages={"required": _("请选择帮扶措施。")})
    target = forms.CharField(label=_("具体目标"), max_length=200,
                             error_messages={"required": _("请写明这项措施要达到的具体目标。")})
    responsible = forms.CharField(label=_("责任人"), max_length=60, error_messages={"required": _("请填写责任人。")})
    due_on = _date(_("完成时限"), required=False)


class MeasureUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("进展"), choices=PlanMeasure.Status.choices,
                               error_messages={"required": _("请选择进展。")})
    note = forms.CharField(label=_("进展说明"), max_length=300, required=False)
    done_on = _date(_("完成日期"), required=False)


class PairingForm(forms.Form):
    helper_kind = forms.ChoiceField(label=_("帮扶人类别"), choices=[("", "——")] + Pairing.HelperKind.choices,
                                    error_messages={"required": _("请选择帮扶人类别。")})
    helper_name = forms.CharField(label=_("帮扶人"), max_length=100,
                                  help_text=_("工会干部或劳模的姓名，或爱心企业的名称。"),
                                  error_messages={"required": _("请填写帮扶人姓名或企业名称。")})
    helper_contact = forms.CharField(label=_("联系方式"), max_length=60, required=False)
    helper_unit = forms.CharField(label=_("帮扶人单位"), max_length=200, required=False)
    started_on = _date(_("结对日期"), missing=_("请填写结对日期。"))
    note = forms.CharField(label=_("备注"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("started_on", timezone.localdate().isoformat())
        super().__init__(*args, **kwargs)


class ContactForm(forms.Form):
    contacted_on = _date(_("联系日期"), missing=_("请填写联系日期。"))
    way = forms.ChoiceField(label=_("联系方式"), choices=[("", "——")] + PairingContact.Way.choices,
                            error_messages={"required": _("请选择联系方式。")})
    help_given = forms.CharField(label=_("帮扶内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                                 help_text=_("了解到的情况和给予的帮助，如“送去米面油，联系社区落实临时救助”。"),
                                 error_messages={"required": _("请写明这次联系了解到的情况或给予的帮扶。")})
    value = _money(_("折合金额（元）"), required=False, help_text=_("送去的钱物折合的金额；只是联系则不填。"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("contacted_on", timezone.localdate().isoformat())
        super().__init__(*args, **kwargs)


class EndPairingForm(forms.Form):
    ended_on = _date(_("结束日期"), missing=_("请填写结束日期。"))
    end_reason = forms.CharField(label=_("结束原因"), max_length=200,
                                 error_messages={"required": _("请填写结束结对的原因，如“该户已脱困”。")})

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("ended_on", timezone.localdate().isoformat())
        super().__init__(*args, **kwargs)
