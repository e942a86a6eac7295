"""Forms of the courses pages. They collect input; the services check it and say what is wrong
(``core.forms.apply_errors`` puts their messages beside the fields)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.forms import apply_errors  # noqa: F401  (re-exported for the views)
from gonghui.core.widgets import DateInput
from gonghui.courses.models import UpliftApplication
from gonghui.enrolment.models import Audience


class DateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time picker; its value must be ISO (2026-11-25T09:00)."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def _text(label, *, required=True, max_length=200, help_text=""):
    return forms.CharField(label=label, required=required, max_length=max_length, help_text=help_text)


class ChineseForm(forms.Form):
    """Required fields left empty say so in a sentence naming the field ("请填写课程名称。")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ChoiceField | forms.ModelChoiceField):
                field.error_messages["required"] = _("请选择%(label)s。") % {"label": field.label}
            else:
                field.error_messages["required"] = _("请填写%(label)s。") % {"label": field.label}


class NodeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name if hasattr(obj, "display_name") else obj.name


class CourseForm(ChineseForm):
    node = NodeChoiceField(label=_("主办工会"), queryset=None, empty_label=None,
                           error_messages={"invalid_choice": _("请从列表中选择主办工会。")})
    title = _text(_("课程名称"), help_text=_("例如：2026年第二期育婴师（四级）培训班"))
    occupation = _text(_("培训职业（工种）"), max_length=60, help_text=_("例如：育婴师、养老护理员、电工。"))
    certifying_body = _text(_("发证机构"), max_length=120, help_text=_("例如：江海市职业技能鉴定中心。"))
    level = _text(_("等级"), required=False, max_length=40, help_text=_("例如：四级/中级工。"))
    description = forms.CharField(label=_("课程介绍"), required=False, widget=forms.Textarea, max_length=5000)
    starts_on = forms.CharField(label=_("开课日期"), widget=DateInput)
    ends_on = forms.CharField(label=_("结课日期"), widget=DateInput)
    capacity = forms.CharField(label=_("名额"), widget=forms.NumberInput(attrs={"min": 1}))
    audience = forms.ChoiceField(label=_("报名对象"), choices=Audience.choices)
    waitlist = forms.BooleanField(label=_("额满后接受候补"), required=False, initial=True)
    hardship_first = forms.BooleanField(label=_("困难职工优先递补"), required=False)
    opens_at = forms.CharField(label=_("报名开始时间"), required=False, widget=DateTimeInput)
    closes_at = forms.CharField(label=_("报名截止时间"), required=False, widget=DateTimeInput)
    min_attendance_pct = forms.CharField(label=_("出勤率要求（%）"), initial=80,
                                         widget=forms.NumberInput(attrs={"min": 0, "max": 100}))
    pass_score = forms.CharField(label=_("考试合格分数"), initial=60)
    subsidy_per_trainee = forms.CharField(label=_("每人培训补贴（元）"), required=False, initial=0,
                                          help_text=_("取得合格证书的学员每人发放的补贴；不发补贴填0。"))

    def __init__(self, *args, nodes=None, **kwargs):
        super().__init__(*args, **kwargs)
        if nodes is None:
            del self.fields["node"]
        else:
            self.fields["node"].queryset = nodes


class SessionForm(ChineseForm):
    starts_at = forms.CharField(label=_("开始时间"), widget=DateTimeInput)
    ends_at = forms.CharField(label=_("结束时间"), widget=DateTimeInput)
    topic = _text(_("内容"))
    teacher = _text(_("授课教师"), max_length=60)
    place = _text(_("上课地点"))


class TargetForm(ChineseForm):
    node = NodeChoiceField(label=_("工会"), queryset=None, empty_label=None,
                           error_messages={"invalid_choice": _("请从列表中选择工会。")})
    year = forms.CharField(label=_("年度"), widget=forms.NumberInput)
    occupation = _text(_("培训职业（工种）"), max_length=60)
    target = forms.CharField(label=_("目标人数（取得合格证书）"), widget=forms.NumberInput(attrs={"min": 1}))

    def __init__(self, *args, nodes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("撤销原因"), max_length=300,
                             error_messages={"required": _("请写明撤销原因，例如“考试作弊，成绩作废”。")})


class UpliftForm(ChineseForm):
    level = forms.ChoiceField(label=_("类别"), choices=UpliftApplication.Level.choices)
    school = _text(_("就读院校（培训机构）"), max_length=120, help_text=_("例如：江海开放大学。"))
    programme = _text(_("专业（项目）"), max_length=120, help_text=_("例如：机电一体化技术（大专）。"))
    fee = forms.CharField(label=_("学费（元）"), widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    subsidy_asked = forms.CharField(label=_("申请补贴（元）"), widget=forms.TextInput(attrs={"inputmode": "decimal"}),
                                    help_text=_("不超过学费；批准后入学、毕业时各发一半。"))


class ProofForm(forms.Form):
    proof = forms.FileField(label=_("证明材料（照片或PDF）"), required=False)
