"""Forms of the review part. They only carry the fields: the rules (and their Chinese messages) are
in services_review.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.widgets import DateInput
from gonghui.hardship.models import Exit, FollowUp

DECISION_CHOICES = [("keep", _("保持在档（按复核评估调整类别）")), ("exit", _("解困脱困")), ("close", _("注销档案"))]
END_REASON_CHOICES = [("", _("请选择"))] + [(r.value, r.label) for r in (*Exit.EXIT_REASONS, *Exit.CLOSE_REASONS)]


class _Form(forms.Form):
    # Dates are checked by the services (with their Chinese messages); the form only passes text on.
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = _("请填写%(label)s。") % {"label": field.label}


class ReviewForm(_Form):
    reviewed_on = forms.CharField(label=_("复核日期"), widget=DateInput())
    situation = forms.CharField(label=_("家庭现状"), widget=forms.Textarea, max_length=2000,
                                help_text=_("入户了解到的家庭成员、就业、收入、健康和住房变化。复核前请先在档案中更新家庭收入和支出。"))
    decision = forms.ChoiceField(label=_("复核结论"), choices=DECISION_CHOICES)
    reason = forms.ChoiceField(label=_("脱困或注销原因"), choices=END_REASON_CHOICES, required=False)
    note = forms.CharField(label=_("说明"), widget=forms.Textarea, required=False, max_length=2000)


class EndForm(_Form):
    """解困脱困 or another closure: the reason decides which."""

    on = forms.CharField(label=_("脱困或注销日期"), widget=DateInput())
    reason = forms.ChoiceField(label=_("原因"), choices=END_REASON_CHOICES)
    note = forms.CharField(label=_("情况说明"), widget=forms.Textarea, required=False, max_length=2000)


class ReopenForm(_Form):
    on = forms.CharField(label=_("恢复在档日期"), widget=DateInput())
    situation = forms.CharField(label=_("返困情况"), widget=forms.Textarea, max_length=2000,
                                help_text=_("说明返困的原因。恢复前请先在档案中更新家庭收入和支出：系统将按现行标准重新评估。"))


class IncomeForm(_Form):
    month = forms.CharField(label=_("月份"), widget=forms.TextInput(attrs={"type": "month"}))
    household_income = forms.CharField(label=_("家庭月收入（元）"), widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    household_size = forms.CharField(label=_("家庭人口"), widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    note = forms.CharField(label=_("说明"), required=False, max_length=200)


class FollowUpForm(_Form):
    done_on = forms.CharField(label=_("回访日期"), widget=DateInput())
    finding = forms.ChoiceField(label=_("回访结论"), choices=[("", _("请选择")), *FollowUp.Finding.choices])
    notes = forms.CharField(label=_("回访情况"), widget=forms.Textarea, max_length=2000)
