"""Forms of the core part's pages. Amounts are text fields: services_core and assessment check them
and say in Chinese what to fix (negative, absurd, more than two decimals)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.widgets import DateInput
from gonghui.hardship.models import (
    Cause,
    Exclusion,
    HardshipDocument,
    HardshipFile,
    HouseholdMember,
    IncomeRow,
    RecordCheck,
    SpendingRow,
)
from gonghui.hardship.policy import EDITABLE

DATE = DateInput()
MONEY = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})


PLEASE_CHOOSE = _("请选择")


def blank(choices, label=PLEASE_CHOOSE):
    return [("", label), *choices]


class FileCreateForm(forms.Form):
    id_number = forms.CharField(label=_("户主（职工）身份证号"), max_length=30,
                                help_text=_("户主须是本工会在册会员；档案建在其会籍所在的基层工会。"))


class FileDetailsForm(forms.Form):
    main_cause = forms.ChoiceField(label=_("主要致困原因"), choices=blank(Cause.choices))
    secondary_causes = forms.MultipleChoiceField(label=_("次要致困原因（最多3项）"), choices=Cause.choices,
                                                 required=False, widget=forms.CheckboxSelectMultiple)
    address = forms.CharField(label=_("家庭住址"), max_length=300, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    housing = forms.ChoiceField(label=_("住房情况"), choices=blank(HardshipFile.Housing.choices), required=False)
    housing_area = forms.DecimalField(label=_("住房面积（平方米）"), max_digits=8, decimal_places=2, required=False,
                                      min_value=0)
    medical_insurance = forms.ChoiceField(label=_("医疗保险"), choices=blank(HardshipFile.Insurance.choices),
                                          required=False)
    bank_name = forms.CharField(label=_("开户银行"), max_length=100, required=False)
    bank_account = forms.CharField(label=_("银行账号"), max_length=40, required=False,
                                   help_text=_("加密保存，页面只显示前后四位；留空则不修改。"))
    exclusion_flags = forms.MultipleChoiceField(label=_("核实发现的排除情形"), choices=Exclusion.choices,
                                                required=False, widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("备注"), widget=forms.Textarea, required=False)


class MemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=60)
    relation = forms.ChoiceField(label=_("与户主关系"),
                                 choices=blank([c for c in HouseholdMember.Relation.choices if c[0] != "self"]))
    id_number = forms.CharField(label=_("身份证号"), max_length=30)
    health = forms.ChoiceField(label=_("健康状况"), choices=HouseholdMember.Health.choices)
    work_status = forms.ChoiceField(label=_("就业状况"), choices=HouseholdMember.Work.choices)
    school = forms.ChoiceField(label=_("就学情况"), choices=HouseholdMember.School.choices, required=False)


class MemberEditForm(forms.Form):
    health = forms.ChoiceField(label=_("健康状况"), choices=HouseholdMember.Health.choices)
    work_status = forms.ChoiceField(label=_("就业状况"), choices=HouseholdMember.Work.choices)
    school = forms.ChoiceField(label=_("就学情况"), choices=HouseholdMember.School.choices, required=False)


class IncomeForm(forms.Form):
    source = forms.ChoiceField(label=_("收入来源"), choices=blank(IncomeRow.Source.choices))
    member = forms.ChoiceField(label=_("取得收入的成员"), required=False)
    annual_amount = forms.CharField(label=_("近12个月金额（元）"), max_length=20, widget=MONEY)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [("", _("全家/不区分")), *[(str(m.pk), m.name) for m in members]]


class SpendingForm(forms.Form):
    kind = forms.ChoiceField(label=_("刚性支出类别"), choices=blank(SpendingRow.Kind.choices))
    annual_amount = forms.CharField(label=_("近12个月金额（元）"), max_length=20, widget=MONEY)
    sudden = forms.BooleanField(label=_("因突发事件（大病、意外、灾害）发生"), required=False)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class HomeVisitForm(forms.Form):
    visited_on = forms.DateField(label=_("调查日期"), widget=DATE)
    visitors = forms.CharField(label=_("调查人员"), max_length=200, help_text=_("至少两人，用顿号分隔。"))
    findings = forms.CharField(label=_("调查情况"), widget=forms.Textarea)
    refused = forms.BooleanField(label=_("户主拒绝入户调查"), required=False)


class RecordCheckForm(forms.Form):
    kind = forms.ChoiceField(label=_("核对项目"), choices=blank(RecordCheck.Kind.choices))
    result = forms.ChoiceField(label=_("核对结果"), choices=blank(RecordCheck.Result.choices))
    checked_on = forms.DateField(label=_("核对日期"), widget=DATE)
    checked_by_name = forms.CharField(label=_("核对人"), max_length=60)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类别"), choices=blank(HardshipDocument.Kind.choices))
    upload = forms.FileField(label=_("文件"), help_text=_("图片、PDF 或 Word、Excel 文件。"))


class OverrideForm(forms.Form):
    category = forms.ChoiceField(label=_("调整为"), choices=blank(HardshipFile.Category.choices))
    reason = forms.CharField(label=_("调整理由"), widget=forms.Textarea,
                             help_text=_("必填。写明为什么不按政策参数的计算结果认定，理由记入审计日志。"))


class StaffApplyForm(forms.Form):
    statement = forms.CharField(label=_("困难情况说明"), widget=forms.Textarea, max_length=2000)


class PolicyForm(forms.Form):
    node = forms.ChoiceField(label=_("制定单位"))
    effective_from = forms.DateField(label=_("生效日期"), widget=DATE)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)

    def __init__(self, *args, nodes=(), defaults=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].choices = [(str(n.pk), n.name) for n in nodes]
        for key, label in EDITABLE.items():
            self.fields[key] = forms.CharField(label=label, max_length=20, widget=MONEY, required=False,
                                               help_text=_("当前：%(value)s；留空则沿用上级或默认值。")
                                               % {"value": (defaults or {}).get(key, "")})


# ----- portal -----

class PortalApplyForm(forms.Form):
    main_cause = forms.ChoiceField(label=_("主要困难原因"), choices=blank(Cause.choices))
    secondary_causes = forms.MultipleChoiceField(label=_("其他困难原因（可多选，最多3项）"), choices=Cause.choices,
                                                 required=False, widget=forms.CheckboxSelectMultiple)
    statement = forms.CharField(label=_("家庭困难情况"), widget=forms.Textarea(attrs={"maxlength": 2000}),
                                max_length=2000,
                                help_text=_("家里几口人、谁生病或失业、孩子上学等情况，简单说清楚即可。"))
    phone = forms.CharField(label=_("联系电话"), max_length=30)
    address = forms.CharField(label=_("家庭住址"), max_length=300)
    document = forms.FileField(label=_("证明材料照片"), required=False,
                               widget=forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf"}),
                               help_text=_("可以先不传，工会入户调查时再收取。"))
    consent = forms.BooleanField(label=_("我同意工会入户调查，并核对我家的房产、车辆和工商登记信息；所填情况真实。"),
                                 error_messages={"required": _("请勾选同意入户调查和信息核对，否则无法审核。")})


class SelfCheckForm(forms.Form):
    """Nothing of this is stored: it only computes a likely category."""

    household_size = forms.IntegerField(label=_("家庭人口（共同生活的人数）"), min_value=1, max_value=20,
                                        error_messages={"min_value": _("家庭人口至少1人。"),
                                                        "max_value": _("家庭人口最多填20人。"),
                                                        "invalid": _("请填写人数（数字）。")})
    monthly_income = forms.CharField(label=_("全家每月收入合计（元）"), max_length=12, widget=MONEY,
                                     help_text=_("工资、养老金、补贴等加在一起，按近一年平均每月。"))
    able_not_working = forms.IntegerField(label=_("有劳动能力但没有工作的家人数"), min_value=0, max_value=20,
                                          initial=0, required=False)
    medical = forms.CharField(label=_("近一年自付医疗费（元）"), max_length=12, widget=MONEY, required=False)
    disability = forms.CharField(label=_("近一年残疾康复、护理费（元）"), max_length=12, widget=MONEY,
                                 required=False)
    schooling = forms.CharField(label=_("近一年孩子上高中、大学的费用（元）"), max_length=12, widget=MONEY,
                                required=False)
    housing = forms.CharField(label=_("近一年房租或危房修缮费（元）"), max_length=12, widget=MONEY, required=False)
    sudden = forms.BooleanField(label=_("这些支出主要是突发大病、意外事故或灾害造成的"), required=False)
    multiple_homes = forms.BooleanField(label=_("家里有两套及以上住房"), required=False)
    motor_vehicle = forms.BooleanField(label=_("家里有汽车等机动车（残疾人代步车除外）"), required=False)
    enterprise = forms.BooleanField(label=_("家人开办或控股企业"), required=False)
    private_school = forms.BooleanField(label=_("孩子在高收费私立学校读书或自费出国留学"), required=False)
    refused_work = forms.BooleanField(label=_("有劳动能力的家人无正当理由不愿工作"), required=False)

    EXCLUSION_FIELDS = ("multiple_homes", "motor_vehicle", "enterprise", "private_school", "refused_work")


def today():
    return timezone.localdate()
