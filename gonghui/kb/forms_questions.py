from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gonghui.kb import services_questions as svc


def _too_long(limit: int) -> str:
    return gettext("最多%(max)s字，请精简后再提交。") % {"max": limit}


class AskForm(forms.Form):
    """The worker's question (the portal's "我要咨询")."""

    question = forms.CharField(
        label=_("您想咨询什么？"), required=True,
        error_messages={"required": _("请写下您想咨询的问题。")},
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("例如：欠薪怎么办？单位不签劳动合同怎么办？"),
                                     "autocomplete": "off"}))
    topic = forms.ChoiceField(label=_("问题类别"), required=False)
    district = forms.ModelChoiceField(label=_("您在哪个区（县）工作"), queryset=None, required=False,
                                      empty_label="——")
    token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, member: bool, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", gettext("自动判断"))] + [(c.code, c.label) for c in svc.topic_choices()]
        if member:
            del self.fields["district"]
        else:
            self.fields["district"].queryset = districts
            self.fields["district"].required = True
            self.fields["district"].error_messages["required"] = gettext(
                "请选择您工作所在的区（县），由当地总工会答复。")

    def clean_question(self):
        value = self.cleaned_data["question"].strip()
        if len(value) > svc.MAX_QUESTION:
            raise forms.ValidationError(gettext("问题最多%(max)s字，现在是%(n)s字，请精简后再提交。")
                                        % {"max": svc.MAX_QUESTION, "n": len(value)})
        return value


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("答复内容（职工可见）"), error_messages={"required": _("请填写答复内容。")},
                             widget=forms.Textarea(attrs={"rows": 8}))
    articles = forms.CharField(required=False, widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean_answer(self):
        value = self.cleaned_data["answer"].strip()
        if len(value) > svc.MAX_ANSWER:
            raise forms.ValidationError(_too_long(svc.MAX_ANSWER))
        return value


class FaqForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200, error_messages={"required": _("请填写标题。")})
    question = forms.CharField(label=_("问题"), widget=forms.Textarea(attrs={"rows": 4}),
                               error_messages={"required": _("请填写问题。")})
    answer = forms.CharField(label=_("答复"), widget=forms.Textarea(attrs={"rows": 8}),
                             error_messages={"required": _("请填写答复。")})
    node = forms.ModelChoiceField(label=_("发布单位"), queryset=None, empty_label=None,
                                  help_text=_("本工会及下级工会的职工都能看到；选上级工会则覆盖更广。"))
    category = forms.ModelChoiceField(label=_("栏目"), queryset=None, required=False, empty_label="——")

    def __init__(self, *args, nodes, **kwargs):
        from gonghui.kb.models import Category
        from gonghui.orgs.models import UnionNode

        super().__init__(*args, **kwargs)
        self.fields["node"].queryset = UnionNode.objects.unscoped().filter(pk__in=[n.pk for n in nodes]) \
            .order_by("depth")
        self.fields["category"].queryset = Category.objects.filter(active=True)
