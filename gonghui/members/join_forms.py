"""The worker's join form. It only shapes the input; every rule is in join_services.clean_application."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.members.join_services import ETHNICITIES
from gonghui.members.models import Education, Gender, HouseholdType


def _required(label) -> dict:
    return {"required": _("请填写%(label)s。") % {"label": label}}


def _pick(label) -> dict:
    return {"required": _("请选择%(label)s。") % {"label": label}}


class JoinForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=60, error_messages=_required(_("姓名")),
                           widget=forms.TextInput(attrs={"autocomplete": "name"}))
    id_number = forms.CharField(
        label=_("身份证号"), max_length=24, error_messages=_required(_("身份证号")),
        help_text=_("18位居民身份证号，最后一位可以是X。性别和出生日期按身份证号识别。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}))
    gender = forms.ChoiceField(label=_("性别"), required=False,
                               choices=[("", _("按身份证号识别"))] + list(Gender.choices))
    ethnicity = forms.ChoiceField(label=_("民族"), choices=[(e, e) for e in ETHNICITIES], initial="汉族",
                                  error_messages=_pick(_("民族")))
    mobile = forms.CharField(label=_("手机号码"), max_length=20, error_messages=_required(_("手机号码")),
                             widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}))
    education = forms.ChoiceField(label=_("学历"), choices=[("", "——")] + list(Education.choices),
                                  error_messages=_pick(_("学历")))
    household_type = forms.ChoiceField(label=_("户籍类型"), choices=[("", "——")] + list(HouseholdType.choices),
                                       error_messages=_pick(_("户籍类型")))
    migrant_worker = forms.BooleanField(label=_("我是农民工（农村户籍、进城务工）"), required=False)
    employer = forms.CharField(label=_("工作单位"), max_length=200, error_messages=_required(_("工作单位")),
                               widget=forms.TextInput(attrs={"autocomplete": "organization"}))
