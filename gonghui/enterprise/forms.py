"""Field input of the console's enterprise pages; the rules live in services.py."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.widgets import DateInput
from gonghui.enterprise.models import Industry, Problem
from gonghui.enterprise.services import HANDLE, MAX_PROBLEMS
from gonghui.orgs.models import UnionNode


class NodeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.kind_label}）"


class EnterpriseForm(forms.Form):
    name = forms.CharField(label=_("企业名称"), max_length=200, error_messages={"required": _("请填写企业名称。")})
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18, required=False,
                           help_text=_("18位，见营业执照。"))
    address = forms.CharField(label=_("地址"), max_length=300, required=False)
    industry = forms.ChoiceField(label=_("行业"), required=False, choices=[("", "——")] + Industry.choices)
    employees = forms.IntegerField(label=_("职工人数"), required=False, min_value=0,
                                   error_messages={"invalid": _("职工人数应为整数。"),
                                                   "min_value": _("职工人数不能小于0。")})
    contact_person = forms.CharField(label=_("企业联系人"), max_length=60, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    node = NodeChoiceField(label=_("联系工会"), queryset=None, empty_label="——",
                           help_text=_("负责走访、联系该企业的工会。"),
                           error_messages={"required": _("请选择负责联系该企业的工会。"),
                                           "invalid_choice": _("只能选择您权限范围内的工会。")})
    union = NodeChoiceField(label=_("企业工会"), queryset=None, required=False, empty_label=_("未建工会"),
                            help_text=_("企业已建立的基层工会；未建会的企业不选。"),
                            error_messages={"invalid_choice": _("只能选择您权限范围内的基层工会。")})

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Choice fields list only the unions this user may pick.
        mine = UnionNode.objects.visible_to(user, HANDLE).filter(active=True).order_by("path")
        self.fields["node"].queryset = mine.filter(kind__in=UnionNode.UNION_KINDS)
        self.fields["union"].queryset = mine.filter(kind__in=UnionNode.MEMBER_KINDS)


class StaffMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("走访日期"), widget=DateInput(),
                                 error_messages={"required": _("请填写走访日期。"),
                                                 "invalid": _("请按2026-11-25的格式填写走访日期。")})
    node = forms.ModelChoiceField(label=_("走访工会"), queryset=None, empty_label=None,
                           error_messages={"required": _("请选择走访工会。"),
                                           "invalid_choice": _("只能选择企业的联系工会或它的上级工会中您可代表的工会。")})
    staff = StaffMultipleChoiceField(label=_("走访人员"), queryset=None, required=False,
                                     widget=forms.CheckboxSelectMultiple,
                                     error_messages={"invalid_choice": _("走访人员应是走访工会或其上下级工会的干部。"),
                                                     "invalid_pk_value": _("走访人员的选项不正确。")})
    other_participants = forms.CharField(label=_("其他走访人员"), max_length=300, required=False,
                                         help_text=_("未在上面列出的人员，如人社、住建部门的同志。"))
    met_with = forms.CharField(label=_("接待人员"), max_length=300, required=False,
                               help_text=_("企业方见到的人，如：人事经理张伟、工会主席李强。"))
    notes = forms.CharField(label=_("走访情况"), max_length=5000, required=False,
                            widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, nodes, staff, **kwargs):
        # An ISO date: what <input type="date"> shows (a date object would render localised).
        kwargs["initial"] = {"visited_on": timezone.localdate().isoformat(), **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.node_list = nodes
        self.fields["node"].queryset = UnionNode.objects.unscoped().filter(pk__in=[n.pk for n in nodes]) \
            .order_by("-depth")
        self.fields["staff"].queryset = staff


class ProblemForm(forms.Form):
    """One row of the problems found; a blank row is skipped."""

    kind = forms.ChoiceField(label=_("问题类别"), required=False, choices=[("", "——")] + Problem.Kind.choices)
    description = forms.CharField(label=_("问题描述"), max_length=2000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        kind, description = data.get("kind"), (data.get("description") or "").strip()
        if kind and not description:
            self.add_error("description", _("请填写问题描述。"))
        elif description and not kind:
            self.add_error("kind", _("请选择问题类别。"))
        return data

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return not data.get("kind") and not (data.get("description") or "").strip()


ProblemFormSet = forms.formset_factory(ProblemForm, extra=3, max_num=MAX_PROBLEMS, validate_max=True,
                                       absolute_max=MAX_PROBLEMS)
MORE_ROWS = 3
