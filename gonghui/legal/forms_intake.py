"""Forms of the intake pages. Amounts and counts are text fields: services_intake checks them and
says in Chinese what to fix (negative, not a number, too large)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.legal.eligibility import FACTS
from gonghui.legal.models import LegalDocument, Matter
from gonghui.legal.services_intake import APPLICATION_KINDS

PLEASE_CHOOSE = _("请选择")
MONEY = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "0"})
NUMBER = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,.pdf,.doc,.docx"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


# Who the applicant is: the flags the portal asks (membership and hardship come from the records).
PORTAL_FLAGS = ("is_migrant", "is_woman", "is_disabled", "is_elderly", "is_model_worker", "is_union_officer",
                "in_hardship")


class ApplicationForm(forms.Form):
    """The application: the portal's phone form and the console's form for a worker share it."""

    applicant_name = forms.CharField(label=_("申请人姓名"), max_length=60,
                                     error_messages={"required": _("请填写申请人姓名。")})
    applicant_phone = forms.CharField(label=_("联系电话"), max_length=20,
                                      error_messages={"required": _("请填写联系电话，法律援助中心会电话联系您。")},
                                      widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    matter = forms.ChoiceField(label=_("争议事项"), choices=[("", PLEASE_CHOOSE), *Matter.choices],
                               error_messages={"required": _("请选择争议事项。")})
    opponent_name = forms.CharField(label=_("对方（用人单位）名称"), max_length=200,
                                    error_messages={"required": _("请填写对方（用人单位）的名称。")},
                                    help_text=_("写营业执照上的全称；包工头个人的，写姓名和所在工地。"))
    opponent_uscc = forms.CharField(label=_("对方统一社会信用代码"), max_length=30, required=False,
                                    help_text=_("18位，见营业执照；不知道可以不填。"))
    opponent_address = forms.CharField(label=_("对方地址"), max_length=300, required=False)
    facts = forms.CharField(label=_("发生了什么"), widget=forms.Textarea,
                            error_messages={"required": _("请写明发生了什么。")},
                            help_text=_("在哪里工作、从什么时候开始、被拖欠或受到的损害、讨要或协商的经过。"))
    amount_claimed = forms.CharField(label=_("请求金额（元）"), max_length=20, required=False, widget=MONEY)
    workers_involved = forms.CharField(label=_("涉及职工人数（含本人）"), max_length=6, required=False, widget=NUMBER,
                                       initial="1", help_text=_("工友一起被欠薪的，写总人数，由一人代表申请。"))
    is_member = forms.BooleanField(label=FACTS["is_member"], required=False)
    is_migrant = forms.BooleanField(label=FACTS["is_migrant"], required=False)
    is_woman = forms.BooleanField(label=FACTS["is_woman"], required=False)
    is_disabled = forms.BooleanField(label=FACTS["is_disabled"], required=False)
    is_elderly = forms.BooleanField(label=FACTS["is_elderly"], required=False)
    is_model_worker = forms.BooleanField(label=FACTS["is_model_worker"], required=False)
    is_union_officer = forms.BooleanField(label=FACTS["is_union_officer"], required=False)
    in_hardship = forms.BooleanField(label=FACTS["in_hardship"], required=False,
                                     help_text=_("已在工会建档的会自动认定；未建档的请上传困难证明。"))
    district = forms.ChoiceField(label=_("工作所在区（县）"), required=False)
    consent = forms.BooleanField(label=_("我保证所填情况属实，同意工会为办理援助使用以上信息"),
                                 error_messages={"required": _("请勾选确认后再提交。")})

    def __init__(self, *args, districts=(), ask_district: bool = False, staff: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in APPLICATION_KINDS:
            self.fields[f"doc_{kind}"] = MultipleFileField(label=LegalDocument.Kind(kind).label)
        if ask_district:
            self.fields["district"].choices = [("", PLEASE_CHOOSE), *((str(d.pk), d.name) for d in districts)]
        else:
            del self.fields["district"]
        if not staff:
            del self.fields["is_member"]
        else:
            self.fields["consent"].label = _("已向申请人说明并取得其同意")

    @property
    def flag_fields(self):
        return [self[name] for name in ("is_member", *PORTAL_FLAGS) if name in self.fields]

    @property
    def document_fields(self):
        return [self[f"doc_{kind}"] for kind in APPLICATION_KINDS]

    def uploads(self):
        """(kind, workflow.Upload) for every file chosen."""
        from gonghui.workflow.services import Upload

        result = []
        for kind in APPLICATION_KINDS:
            for file in self.cleaned_data.get(f"doc_{kind}") or []:
                result.append((kind, Upload(file.name, file.read())))
        return result


class WorkerLookupForm(forms.Form):
    query = forms.CharField(label=_("职工身份证号或手机号"), max_length=30, required=False,
                            help_text=_("查到登记的职工后，会籍和困难档案自动带出；查不到的按未登记职工申请。"))


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("解答意见"), widget=forms.Textarea)
    law_cited = forms.CharField(label=_("法律依据"), max_length=500, required=False,
                                help_text=_("法律名称和条款，例如《劳动合同法》第三十条、《保障农民工工资支付条例》第三条。"))
    minutes_spent = forms.CharField(label=_("用时（分钟）"), max_length=4, required=False, widget=NUMBER)


class LogConsultationForm(forms.Form):
    channel = forms.ChoiceField(label=_("来源"), choices=[("visit", _("来访")), ("phone", _("来电")),
                                                            ("letter", _("来信"))])
    name = forms.CharField(label=_("咨询人姓名"), max_length=60)
    phone = forms.CharField(label=_("联系电话"), max_length=20)
    question = forms.CharField(label=_("咨询的问题"), widget=forms.Textarea)
    migrant_worker = forms.BooleanField(label=_("农民工"), required=False)
    centre = forms.ChoiceField(label=_("法律援助中心（站）"))

    def __init__(self, *args, centres=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].choices = [(str(c.pk), c.node.name) for c in centres]


class RuleForm(forms.Form):
    code = forms.CharField(label=_("代码"), max_length=40, required=False, help_text=_("小写字母、数字或下划线，例如 migrant_arrears。"))
    label = forms.CharField(label=_("条件名称"), max_length=200, required=False)
    facts = forms.MultipleChoiceField(label=_("申请人须同时是"), required=False, choices=list(FACTS.items()),
                                      widget=forms.CheckboxSelectMultiple)
    matters = forms.MultipleChoiceField(label=_("限于争议事项（不选则不限）"), required=False, choices=Matter.choices,
                                        widget=forms.CheckboxSelectMultiple)
    min_workers = forms.IntegerField(label=_("涉及职工人数至少（不填则不限）"), required=False, min_value=1)
    order = forms.IntegerField(label=_("排序"), initial=100, min_value=0, max_value=1000)
    active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def conditions(self) -> dict:
        data = self.cleaned_data
        conditions = {name: True for name in data.get("facts") or []}
        if data.get("matters"):
            conditions["matter"] = list(data["matters"])
        if data.get("min_workers"):
            conditions["min_workers"] = data["min_workers"]
        return conditions

    @classmethod
    def initial_for(cls, rule) -> dict:
        c = rule.conditions
        return {"code": rule.code, "label": rule.label, "facts": [k for k in FACTS if c.get(k)],
                "matters": c.get("matter", []), "min_workers": c.get("min_workers"), "order": rule.order,
                "active": rule.active}


class CentreForm(forms.Form):
    decision_days = forms.IntegerField(label=_("审查时限（工作日）"), min_value=1, max_value=30)
    urgent_days = forms.IntegerField(label=_("春节前欠薪急案时限（工作日）"), min_value=1, max_value=30)
    active = forms.BooleanField(label=_("启用"), required=False)
