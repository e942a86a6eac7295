from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.orgs.models import UnionNode


class UnionNodeForm(forms.Form):
    """Field input only; the rules live in orgs.services.validate_node_fields."""

    name = forms.CharField(label=_("名称"), max_length=200)
    short_name = forms.CharField(label=_("简称"), max_length=60, required=False)
    kind = forms.ChoiceField(label=_("类别"), choices=UnionNode.Kind.choices)
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18, required=False)
    address = forms.CharField(label=_("地址"), max_length=300, required=False)
    contact_person = forms.CharField(label=_("联系人"), max_length=60, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    active = forms.BooleanField(label=_("有效"), required=False, initial=True)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("组织文件（.xlsx 或 .csv）"))
