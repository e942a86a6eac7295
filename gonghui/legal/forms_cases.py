"""Field input of the cases part's pages. The forms only parse what was typed; the rules are in
services_cases, whose Chinese messages go next to the fields (core.forms.apply_errors)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.widgets import DateInput
from gonghui.legal.models_cases import StageKind
from gonghui.legal.models_intake import LegalDocument, Matter, Outcome

DATE_INVALID = _("请按2026-11-25的格式填写日期。")


def _date(label, *, required=True, missing="", help_text=""):
    return forms.DateField(label=label, required=required, widget=DateInput(), help_text=help_text,
                           error_messages={"required": missing or _("请填写%(label)s。") % {"label": label},
                                           "invalid": DATE_INVALID})


def _money(label, *, required=True, help_text=""):
    # Text: the service parses it and says in Chinese what is wrong (negative, too many decimals …).
    return forms.CharField(label=label, required=required, max_length=20, help_text=help_text,
                           widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
                           error_messages={"required": _("请填写%(label)s。") % {"label": label}})


class CasePageForm(forms.Form):
    """A form of the case page, which shows several at once: each gets its own HTML ids
    (``id_<ids>_<field>``), so a label never points at another form's field of the same name
    (the stage's and the document's ``kind``); the field names, and so the posted data, stay."""

    ids = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.ids}_%s")
        super().__init__(*args, **kwargs)


class AssignForm(CasePageForm):
    ids = "assign"
    version = forms.IntegerField(widget=forms.HiddenInput)
    lawyer = forms.IntegerField(label=_("承办律师"), error_messages={"required": _("请在名册中选择一位律师。"),
                                                                  "invalid": _("请在名册中选择一位律师。")})
    note = forms.CharField(label=_("委派说明"), required=False, max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class ReassignForm(CasePageForm):
    ids = "reassign"
    lawyer = forms.IntegerField(label=_("改派给"), error_messages={"required": _("请在名册中选择一位律师。"),
                                                                "invalid": _("请在名册中选择一位律师。")})
    reason = forms.CharField(label=_("改派原因"), max_length=500,
                             error_messages={"required": _("请填写改派原因。")})


class StageForm(CasePageForm):
    ids = "stage"
    kind = forms.ChoiceField(label=_("阶段"), choices=[("", "——")] + list(StageKind.choices),
                             error_messages={"required": _("请选择阶段。")})
    started_on = _date(_("开始日期"))
    deadline = _date(_("办理期限"), required=False,
                     help_text=_("不填时按阶段默认：调解15日、仲裁45日、一审6个月、二审3个月、执行6个月。"))
    body = forms.CharField(label=_("受理机构"), required=False, max_length=200,
                           help_text=_("例如“江海市劳动人事争议仲裁委员会”“西城区人民法院”。"))
    docket_no = forms.CharField(label=_("案号"), required=False, max_length=60)
    note = forms.CharField(label=_("备注"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class StageEndForm(CasePageForm):
    ids = "stage_end"
    ended_on = _date(_("结束日期"))
    result = forms.CharField(label=_("结果"), max_length=500,
                             error_messages={"required": _("请填写本阶段的结果。")})


class HearingForm(CasePageForm):
    ids = "hearing"
    held_on = _date(_("日期"))
    place = forms.CharField(label=_("地点"), required=False, max_length=200)
    record = forms.CharField(label=_("记录摘要"), max_length=10000, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("请填写庭审或调解的记录摘要。")})


class LimitationForm(CasePageForm):
    ids = "limitation"
    infringed_on = _date(_("知道或应当知道权利被侵害之日"),
                         help_text=_("例如工资应发而未发的日期、被解除劳动合同的日期。"))
    employment_ended_on = _date(_("劳动关系终止日期"), required=False,
                                help_text=_("劳动关系仍存续的请留空。"))
    note = forms.CharField(label=_("说明"), required=False, max_length=300)


class ProgressForm(CasePageForm):
    ids = "progress"
    text = forms.CharField(label=_("办理进展"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": _("请填写办理进展。")})
    internal = forms.BooleanField(label=_("仅内部可见（申请人看不到）"), required=False)


class DocumentForm(CasePageForm):
    ids = "document"
    kind = forms.ChoiceField(label=_("材料类别"), choices=[("", "——")] + list(LegalDocument.Kind.choices),
                             error_messages={"required": _("请选择材料类别。")})
    stage = forms.TypedChoiceField(label=_("所属阶段"), required=False, coerce=int, empty_value=None, choices=())
    file = forms.FileField(label=_("文件"), error_messages={"required": _("请选择要上传的文件。")})
    internal = forms.BooleanField(label=_("仅内部可见（申请人看不到）"), required=False)

    def __init__(self, *args, stages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [("", "——")] + [(s.pk, f"{s.kind_label} {s.started_on}") for s in stages]


class RecoveryForm(CasePageForm):
    ids = "recovery"
    name = forms.CharField(label=_("收款职工姓名"), max_length=60, required=False,
                           help_text=_("不填时为申请人本人。"))
    worker = forms.TypedChoiceField(label=_("会员库中的职工"), required=False, coerce=int, empty_value=None,
                                    choices=(), help_text=_("选中后，这笔款项记入该职工的服务台账。"))
    amount = _money(_("追回金额（元）"))
    recovered_on = _date(_("到账日期"))
    note = forms.CharField(label=_("备注"), required=False, max_length=200)

    def __init__(self, *args, workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].choices = [("", "——")] + [(w.pk, w.name) for w in workers]


class ClosingReportForm(CasePageForm):
    ids = "report"
    outcome = forms.ChoiceField(label=_("结案方式"), choices=[("", "——")] + list(Outcome.choices),
                                error_messages={"required": _("请选择结案方式。")})
    amount_awarded = _money(_("裁判/调解确定金额（元）"), required=False,
                            help_text=_("不能为负数，也不能超过申请时请求的金额。"))
    workers_covered = forms.IntegerField(label=_("受益职工人数"), required=False, min_value=0,
                                         error_messages={"invalid": _("受益职工人数应为整数。"),
                                                         "min_value": _("受益职工人数不能为负数。")})
    text = forms.CharField(label=_("结案报告"), max_length=10000, widget=forms.Textarea(attrs={"rows": 6}),
                           error_messages={"required": _("请填写结案报告：办理经过、结果和追回情况。")})


class CloseForm(CasePageForm):
    ids = "close"
    version = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label=_("结案方式"), required=False, choices=[("", "——")] + list(Outcome.choices))
    amount_awarded = _money(_("裁判/调解确定金额（元）"), required=False)
    workers_covered = forms.IntegerField(label=_("受益职工人数"), required=False,
                                         error_messages={"invalid": _("受益职工人数应为整数。")})
    report = forms.CharField(label=_("结案报告"), required=False, max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 6}))


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("评价"), coerce=int, choices=[(i, i) for i in range(1, 6)],
                                    widget=forms.RadioSelect,
                                    error_messages={"required": _("请选择1到5颗星。"),
                                                    "invalid_choice": _("请选择1到5颗星。")})
    comment = forms.CharField(label=_("评价意见"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 3}))


class FirmForm(forms.Form):
    node = forms.TypedChoiceField(label=_("法律援助中心"), coerce=int, choices=(),
                                  error_messages={"required": _("请选择法律援助中心。"),
                                                  "invalid_choice": _("只能选择您有审批权限的法律援助中心。")})
    name = forms.CharField(label=_("律师事务所名称"), max_length=200,
                           error_messages={"required": _("请填写律师事务所名称。")})
    uscc = forms.CharField(label=_("统一社会信用代码"), required=False, max_length=30)
    address = forms.CharField(label=_("地址"), required=False, max_length=300)
    contact = forms.CharField(label=_("联系人"), required=False, max_length=60)
    phone = forms.CharField(label=_("联系电话"), required=False, max_length=20)
    active = forms.BooleanField(label=_("合作中"), required=False, initial=True)

    def __init__(self, *args, centres=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].choices = [(c.pk, c.name) for c in centres]


class LawyerForm(forms.Form):
    node = forms.TypedChoiceField(label=_("法律援助中心"), coerce=int, choices=(),
                                  error_messages={"required": _("请选择法律援助中心。"),
                                                  "invalid_choice": _("只能选择您有审批权限的法律援助中心。")})
    name = forms.CharField(label=_("姓名"), max_length=60, error_messages={"required": _("请填写律师姓名。")})
    firm = forms.TypedChoiceField(label=_("律师事务所"), required=False, coerce=int, empty_value=None, choices=())
    licence_no = forms.CharField(label=_("执业证号"), required=False, max_length=30,
                                 help_text=_("17位数字。"))
    phone = forms.CharField(label=_("手机号码"), required=False, max_length=20)
    matters = forms.MultipleChoiceField(label=_("擅长事项"), required=False, choices=Matter.choices,
                                        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
                                        help_text=_("不选表示各类事项都可承办。"))
    capacity = forms.IntegerField(label=_("同时承办上限（件）"), initial=5,
                                  error_messages={"required": _("请填写同时承办上限。"),
                                                  "invalid": _("同时承办上限应为1到100之间的整数。")})
    conflict_usccs = forms.CharField(label=_("利益冲突单位的统一社会信用代码"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}),
                                     help_text=_("每行一个。指派时不会把针对这些单位的案件派给该律师。"))
    conflicts_note = forms.CharField(label=_("利益冲突说明"), required=False, max_length=1000,
                                     widget=forms.Textarea(attrs={"rows": 2}))
    account = forms.CharField(label=_("登录账号（合作方）"), required=False, max_length=150,
                              help_text=_("填写已开通的合作方账号的用户名，律师即可登录查看指派给他的案件。"))
    active = forms.BooleanField(label=_("合作中"), required=False, initial=True)

    def __init__(self, *args, centres=(), firms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].choices = [(c.pk, c.name) for c in centres]
        self.fields["firm"].choices = [("", "——")] + [(f.pk, f.name) for f in firms]
