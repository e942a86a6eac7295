"""Forms of 金秋助学 and 送温暖. They only collect the input: the rules (and the Chinese messages)
are in services_campaigns, whose ValidationError is put next to the fields it names."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core import forms as core_forms
from gonghui.core.widgets import DateInput
from gonghui.hardship.models import GoldenAutumnApplication, WarmthTarget, WarmthVisit


def _text(label, *, required=True, max_length=200, **kwargs):
    return forms.CharField(label=label, required=required, max_length=max_length, **kwargs)


def apply_errors(form, error) -> None:
    """The services name uploads "file"; the form calls it "letter" or "photo"."""
    core_forms.apply_errors(form, error, {"file": next((f for f in ("letter", "photo") if f in form.fields), None)})


class ChineseRequired:
    """Required fields say what to fill in, in the services' words (请填写…)."""

    def chinese_required(self):
        from django.utils.translation import gettext

        for field in self.fields.values():
            verb = gettext("请选择%(label)s。") if isinstance(field, forms.ChoiceField) else gettext("请填写%(label)s。")
            field.error_messages["required"] = verb % {"label": field.label}


class RoundForm(ChineseRequired, forms.Form):
    node = forms.ModelChoiceField(label=_("组织工会"), queryset=None, empty_label=None)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    title = _text(_("名称"), required=False, max_length=100, help_text=_("不填则为“某年金秋助学”。"))
    opens_on = forms.CharField(label=_("申请开始日期"), widget=DateInput())
    closes_on = forms.CharField(label=_("申请截止日期"), widget=DateInput())
    budget = forms.CharField(label=_("预算（元）"), max_length=20)
    note = forms.CharField(label=_("申请须知"), required=False, max_length=2000, widget=forms.Textarea(
        attrs={"rows": 3, "placeholder": _("例如：资助当年录取的大学新生和高中新生，请上传录取通知书。")}))

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.chinese_required()
        self.fields["node"].queryset = nodes


class ApplyForm(ChineseRequired, forms.Form):
    """The parent's application on the phone: the child, the school, the account, the letter."""

    child_name = _text(_("子女姓名"), max_length=60)
    child_id_number = _text(_("子女身份证号"), max_length=20,
                            widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}))
    level = forms.ChoiceField(label=_("就读层次"), choices=GoldenAutumnApplication.Level.choices,
                              widget=forms.RadioSelect)
    school = _text(_("录取学校"), max_length=120, widget=forms.TextInput(attrs={"placeholder": _("如：江海大学")}))
    admission_year = forms.CharField(label=_("入学年份"), max_length=4,
                                     widget=forms.TextInput(attrs={"inputmode": "numeric"}))
    bank_name = _text(_("开户银行"), required=False, max_length=100,
                      widget=forms.TextInput(attrs={"placeholder": _("如：工商银行江海分行")}))
    bank_account = _text(_("银行卡号"), required=False, max_length=40,
                         widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    hardship_note = forms.CharField(label=_("家庭困难情况"), required=False, max_length=2000,
                                    widget=forms.Textarea(attrs={"rows": 3, "placeholder": _(
                                        "如：家人患大病、遭遇意外、收入低、学费负担重")}))
    exclusions = forms.MultipleChoiceField(label=_("如有以下情形，请勾选"), required=False,
                                           widget=forms.CheckboxSelectMultiple)
    letter = forms.FileField(label=_("录取通知书"), required=False,
                             widget=forms.ClearableFileInput(attrs={"accept": "image/*,.pdf"}),
                             help_text=_("拍照或选择照片、PDF，不超过20MB。"))

    def __init__(self, *args, exclusion_choices, has_file_account: bool, other: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.chinese_required()
        self.fields["exclusions"].choices = exclusion_choices
        if has_file_account:
            self.fields["bank_account"].help_text = _("不填则使用困难职工档案登记的银行账户。")
        else:
            for name, message in (("bank_name", _("请填写开户银行，例如“工商银行江海分行”。")),
                                  ("bank_account", _("请填写用于接收助学金的银行卡号。"))):
                self.fields[name].required = True
                self.fields[name].error_messages["required"] = message
        self.fields["letter"].required = True
        self.fields["letter"].error_messages["required"] = _("请上传录取通知书的照片或PDF。")
        if other:
            self.fields["hardship_note"].required = True
            self.fields["hardship_note"].error_messages["required"] = _(
                "您还没有困难职工档案：请简要说明家庭困难情况（如大病、意外、收入低、学费负担重）。")
        else:
            del self.fields["hardship_note"]


class CampaignForm(ChineseRequired, forms.Form):
    node = forms.ModelChoiceField(label=_("组织工会"), queryset=None, empty_label=None)
    name = _text(_("活动名称"), max_length=100, widget=forms.TextInput(attrs={"placeholder": _("如：2027年春节送温暖")}))
    starts_on = forms.CharField(label=_("开始日期"), widget=DateInput())
    ends_on = forms.CharField(label=_("结束日期"), widget=DateInput())
    budget = forms.CharField(label=_("预算（元）"), max_length=20)
    standard_amount = forms.CharField(label=_("每户慰问标准（元）"), max_length=20)
    categories = forms.MultipleChoiceField(
        label=_("走访的困难类别（在档困难职工）"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(c, WarmthTarget.Group(c).label) for c in ("deep", "relative", "accident")])
    include_model_workers = forms.BooleanField(label=_("同时慰问劳动模范（由工会添加到名单）"), required=False)
    include_frontline = forms.BooleanField(label=_("同时慰问节日坚守岗位的一线职工（由工会添加到名单）"), required=False)

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.chinese_required()
        self.fields["node"].queryset = nodes


class VisitForm(ChineseRequired, forms.Form):
    visited_on = forms.CharField(label=_("走访日期"), widget=DateInput())
    visitors = _text(_("走访人员"), widget=forms.TextInput(attrs={"placeholder": _("如：张主席、李干事")}))
    kind = forms.ChoiceField(label=_("慰问方式"), choices=WarmthVisit.Kind.choices, widget=forms.RadioSelect)
    value = forms.CharField(label=_("金额或物品价值（元）"), max_length=20)
    goods = _text(_("慰问品"), required=False, widget=forms.TextInput(attrs={"placeholder": _("送慰问品时填写，如：米、油各一袋")}))
    note = forms.CharField(label=_("走访情况"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.FileField(label=_("现场照片"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
                            help_text=_("jpg、png 等图片，不超过20MB。"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.chinese_required()


class AddTargetForm(ChineseRequired, forms.Form):
    id_number = _text(_("职工身份证号"), max_length=20)
    group = forms.ChoiceField(label=_("类别"), choices=())

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.chinese_required()
        self.fields["group"].choices = groups
