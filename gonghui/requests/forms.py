from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gonghui.core.validators import clean_mobile
from gonghui.requests.models import Category, Request
from gonghui.workflow.services import Upload


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


def uploads_from(form, *names) -> list[Upload]:
    """The form's files as engine uploads; an oversize file is refused before it is read."""
    limit = settings.GONGHUI_ATTACHMENT_MAX_BYTES
    uploads = []
    for name in names:
        value = form.cleaned_data.get(name) or []
        for f in value if isinstance(value, list) else [value]:
            if f.size > limit:
                form.add_error(name, gettext("文件不能超过%(size)s。") % {"size": filesizeformat(limit)})
                return []
            uploads.append(Upload(f.name, f.read()))
    return uploads


def _category_choices():
    return [(c.code, c.label) for c in Category.objects.filter(active=True)]


class ChooseForm(forms.Form):
    """Step 1 on the phone: what is it about, and what do you want."""

    category = forms.ChoiceField(label=_("问题类别"), widget=forms.RadioSelect)
    kind = forms.ChoiceField(label=_("您想"), choices=Request.Kind.choices, widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = _category_choices()


class DescribeForm(forms.Form):
    """Step 2 on the phone: the worker's words, photos, and only what routing needs."""

    description = forms.CharField(label=_("请说说您遇到的问题"), max_length=5000,
                                  error_messages={"required": _("请写下您遇到的问题。")},
                                  widget=forms.Textarea(attrs={"rows": 6, "placeholder": _(
                                      "什么时间、在哪家单位、发生了什么、希望工会怎么帮您")}))
    photo = forms.FileField(label=_("拍照上传"), required=False,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
                            help_text=_("如工资条、欠条、现场照片；不拍也可以提交。"))
    files = MultipleFileField(label=_("从相册或文件中选择"), required=False,
                              help_text=_("图片、PDF、Word、Excel，每个不超过20MB，最多6个。"))
    migrant_worker = forms.BooleanField(label=_("我是农民工（欠薪诉求将加急办理）"), required=False)
    about_own_union = forms.BooleanField(label=_("我反映的是本单位工会的问题（将由区总工会受理）"), required=False)
    district = forms.ModelChoiceField(label=_("您在哪个区（县）工作"), queryset=None, required=False,
                                      empty_label="——")
    anonymous_to_employer = forms.BooleanField(label=_("不要让单位知道我的名字"), required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=11, required=False)

    def __init__(self, *args, member: bool, wages: bool, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].widget.attrs.update({"accept": "image/*,.pdf,.doc,.docx,.xls,.xlsx"})
        if not wages:
            del self.fields["migrant_worker"]
        if member:
            del self.fields["district"]
        else:
            del self.fields["about_own_union"]
            self.fields["district"].queryset = districts
            self.fields["district"].required = True
            self.fields["district"].error_messages["required"] = gettext("请选择您工作所在的区（县），由当地总工会受理。")

    def clean_contact_phone(self):
        value = self.cleaned_data["contact_phone"].strip()
        return clean_mobile(value) if value else ""


class LogForm(forms.Form):
    """Staff log a call, letter or visit on a worker's behalf."""

    channel = forms.ChoiceField(label=_("来源渠道"), choices=[
        c for c in Request.Channel.choices if c[0] != Request.Channel.ONLINE])
    lookup = forms.CharField(label=_("职工手机号或身份证号"), required=False, max_length=18,
                             help_text=_("找到登记的职工后，按其所在工会分派；找不到时请填写姓名和电话。"))
    contact_name = forms.CharField(label=_("姓名"), required=False, max_length=60)
    contact_phone = forms.CharField(label=_("联系电话"), required=False, max_length=20)
    category = forms.ModelChoiceField(label=_("类别"), queryset=Category.objects.filter(active=True),
                                      empty_label="——")
    kind = forms.ChoiceField(label=_("诉求类型"), choices=[("", "——")] + list(Request.Kind.choices))
    description = forms.CharField(label=_("诉求内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    migrant_worker = forms.BooleanField(label=_("农民工"), required=False)
    about_own_union = forms.BooleanField(label=_("反映的是本单位工会"), required=False)
    anonymous_to_employer = forms.BooleanField(label=_("对用人单位保密姓名"), required=False)
    node = forms.ModelChoiceField(label=_("受理工会（职工未入会或未找到时）"), queryset=None, required=False,
                                  empty_label="——")
    files = MultipleFileField(label=_("材料"), required=False)

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = nodes
        self.fields["node"].label_from_instance = lambda n: f"{'　' * max(n.depth - 1, 0)}{n.name}"


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name", "code", "order", "active"]
        help_texts = {"code": _("英文字母、数字或下划线，统计导出时使用，保存后不要随意修改。")}
