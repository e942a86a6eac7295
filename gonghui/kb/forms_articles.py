"""Forms of the articles part: writing an article, scheduling, synonyms."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.scope import paths_with_permission, subtree_q
from gonghui.core.widgets import DateInput
from gonghui.kb.models import Article, Category, Synonym
from gonghui.orgs.models import UnionNode


class ArticleForm(forms.ModelForm):
    tags_text = forms.CharField(label=_("标签"), required=False, max_length=200,
                                help_text=_("多个标签用逗号或空格分隔"))

    class Meta:
        model = Article
        fields = ["kind", "node", "title", "summary", "category", "body_html", "issuing_body", "doc_number",
                  "issued_on", "effective_on", "policy_status", "original_file", "publish_at", "pinned"]
        widgets = {
            "body_html": forms.Textarea(attrs={"rows": 14, "class": "font-monospace"}),
            "summary": forms.Textarea(attrs={"rows": 2}),
            "issued_on": DateInput(),
            "effective_on": DateInput(),
            "publish_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }
        help_texts = {
            "body_html": _("可使用 HTML（段落、标题、列表、表格、链接、图片）；保存时自动清除脚本和样式。"),
            "doc_number": _("例如：苏工发〔2024〕12号"),
            "publish_at": _("留空则审核通过后立即发布"),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        paths = paths_with_permission(user, "kb.write")
        nodes = UnionNode.objects.unscoped().filter(active=True)
        if paths is not None:
            q = None
            for p in paths:
                q = subtree_q("path", p) if q is None else q | subtree_q("path", p)
            nodes = nodes.filter(q) if q is not None else nodes.none()
        self.fields["node"].queryset = nodes.order_by("path")
        self.fields["node"].label_from_instance = lambda n: ("　" * max(0, n.depth - 1)) + n.display_name
        self.fields["category"].queryset = Category.objects.filter(active=True)
        self.fields["policy_status"].required = False
        self.fields["issued_on"].input_formats = ["%Y-%m-%d"]
        self.fields["effective_on"].input_formats = ["%Y-%m-%d"]
        self.fields["publish_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        # <input type="date"> wants ISO values; the shared field template prints the value as is.
        for name in ("issued_on", "effective_on"):
            value = self.initial.get(name)
            if value and hasattr(value, "isoformat"):
                self.initial[name] = value.isoformat()
        if self.initial.get("publish_at") and hasattr(self.initial["publish_at"], "strftime"):
            from django.utils import timezone

            self.initial["publish_at"] = timezone.localtime(self.initial["publish_at"]).strftime("%Y-%m-%dT%H:%M")
        if self.instance.pk:
            self.fields["tags_text"].initial = " ".join(self.instance.tags.values_list("name", flat=True))

    def service_fields(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data}
        data["policy_status"] = data.get("policy_status") or ""
        if not data.get("original_file"):
            data.pop("original_file", None)
        data["tags"] = self.cleaned_data.get("tags_text", "")
        return data


class ScheduleForm(forms.Form):
    at = forms.DateTimeField(label=_("发布时间"), required=False, input_formats=["%Y-%m-%dT%H:%M"],
                             widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                             help_text=_("留空立即发布"))


class SynonymForm(forms.ModelForm):
    class Meta:
        model = Synonym
        fields = ["terms", "active"]
