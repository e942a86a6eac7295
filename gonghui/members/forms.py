"""Console forms of the member record: register + enrol, edit, status change, transfer.

The forms only shape the input; the rules (ID checksum, gender and birth date against the ID, one
active membership in the whole tree …) live in members.services, whose Chinese errors the views put
next to the fields.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.scope import paths_with_permission, subtree_q
from gonghui.core.widgets import DateInput
from gonghui.members import services
from gonghui.members.models import Education, Gender, HouseholdType
from gonghui.orgs.models import UnionNode

# A select with more unions than this is cut; the list page's union filter preselects the one wanted.
MAX_UNION_CHOICES = 500

ETHNICITY_CHOICES = [("", "——")] + [(e, e) for e in services.ETHNICITIES]
DATE = DateInput()


def member_unions(user, permission: str = "members.change"):
    """Member-holding unions in the subtrees where ``user`` holds ``permission`` (what they may pick)."""
    qs = UnionNode.objects.unscoped().filter(kind__in=UnionNode.MEMBER_KINDS, active=True)
    paths = paths_with_permission(user, permission)
    if paths is None:
        return qs
    if not paths:
        return qs.none()
    q = subtree_q("path", paths[0])
    for path in paths[1:]:
        q |= subtree_q("path", path)
    return qs.filter(q)


class UnionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class _ProfileFields(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=60)
    mobile = forms.CharField(label=_("手机号"), max_length=20, required=False,
                             widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    ethnicity = forms.ChoiceField(label=_("民族"), choices=ETHNICITY_CHOICES, required=False)
    education = forms.ChoiceField(label=_("学历"), choices=[("", "——")] + Education.choices, required=False)
    household_type = forms.ChoiceField(label=_("户籍类型"), choices=[("", "——")] + HouseholdType.choices,
                                       required=False)
    migrant_worker = forms.BooleanField(label=_("农民工"), required=False)
    employer = forms.CharField(label=_("工作单位"), max_length=200, required=False)


class RegisterForm(_ProfileFields):
    """登记会员: the person and their enrolment in one grassroots union of the user's scope."""

    id_number = forms.CharField(label=_("身份证号"), max_length=30,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
                                help_text=_("18位居民身份证号；性别和出生日期由身份证号自动得出。"))
    gender = forms.ChoiceField(label=_("性别"), choices=[("", _("按身份证号"))] + Gender.choices, required=False)
    birth_date = forms.DateField(label=_("出生日期"), required=False, widget=DATE,
                                 help_text=_("可不填；填写时须与身份证号一致。"))
    union = UnionChoiceField(label=_("基层工会"), queryset=UnionNode.objects.none(), empty_label="——",
                             error_messages={"required": _("请选择基层工会。"),
                                             "invalid_choice": _("请从列表中选择您管理的基层工会。")})
    joined_on = forms.DateField(label=_("入会日期"), required=False, widget=DATE,
                                help_text=_("不填为今天。"))

    field_order = ["name", "id_number", "gender", "birth_date", "ethnicity", "mobile", "education",
                   "household_type", "migrant_worker", "employer", "union", "joined_on"]

    def __init__(self, *args, user, initial_union=None, **kwargs):
        super().__init__(*args, **kwargs)
        unions = member_unions(user)
        self.fields["union"].queryset = unions.order_by("path")
        shown = list(unions.order_by("path")[:MAX_UNION_CHOICES + 1])
        self.truncated = len(shown) > MAX_UNION_CHOICES
        shown = shown[:MAX_UNION_CHOICES]
        if initial_union is not None and initial_union not in shown:
            shown.insert(0, initial_union)
        self.fields["union"].choices = [("", "——")] + [(u.pk, u.name) for u in shown]
        if initial_union is not None:
            self.initial.setdefault("union", initial_union.pk)
        elif len(shown) == 1:
            self.initial.setdefault("union", shown[0].pk)
        self.fields["name"].error_messages["required"] = _("请填写姓名。")
        self.fields["id_number"].error_messages["required"] = _("请填写身份证号。")

    def clean(self):
        """The person's rules (members.services.clean_person), so every mistake shows at once."""
        data = super().clean()
        _cleaned, errors = services.clean_person(
            name=data.get("name", ""), id_number=data.get("id_number", ""), mobile=data.get("mobile", ""),
            gender=data.get("gender", ""), birth_date=data.get("birth_date"),
            profile={k: data[k] for k in services.PROFILE_FIELDS if k in data})
        for field, messages in errors.items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, messages)
        return data

    def person(self) -> dict:
        data = self.cleaned_data
        return {k: data[k] for k in ("name", "id_number", "mobile", "gender", "birth_date", *services.PROFILE_FIELDS)}


class EditForm(_ProfileFields):
    id_number = forms.CharField(label=_("更正身份证号"), max_length=30, required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
                                help_text=_("留空不改。更正后性别和出生日期随之更新，并记入审计日志。"))
    joined_on = forms.DateField(label=_("入会日期"), widget=DATE)

    field_order = ["name", "mobile", "ethnicity", "education", "household_type", "migrant_worker", "employer",
                   "joined_on", "id_number"]

    @classmethod
    def for_membership(cls, membership, data=None):
        worker = membership.worker
        initial = {k: getattr(worker, k) for k in ("name", "mobile", *services.PROFILE_FIELDS)}
        initial["joined_on"] = membership.joined_on.isoformat()  # the date input wants ISO text
        form = cls(data, initial=initial)
        form.fields["name"].error_messages["required"] = _("请填写姓名。")
        if worker.ethnicity and worker.ethnicity not in services.ETHNICITIES:  # kept as imported
            form.fields["ethnicity"].choices = ETHNICITY_CHOICES + [(worker.ethnicity, worker.ethnicity)]
        return form


class StatusForm(forms.Form):
    kind = forms.ChoiceField(label=_("变更类型"), widget=forms.RadioSelect,
                             error_messages={"required": _("请选择变更类型。"),
                                             "invalid_choice": _("会籍现在的状态不能办理这项变更。")})
    on = forms.DateField(label=_("变更日期"), widget=DATE, error_messages={"required": _("请填写变更日期。")})
    reason = forms.CharField(label=_("变更原因"), max_length=200, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("退会、恢复在册须填写原因。"))

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = services.status_change_choices(membership)
        self.initial.setdefault("on", timezone.localdate().isoformat())  # the date input wants ISO text


class TransferForm(forms.Form):
    """转会: the new union (picked from a search) and the reason."""

    to_union = forms.IntegerField(label=_("转入的基层工会"), widget=forms.RadioSelect,
                                  error_messages={"required": _("请先查找并选择要转入的基层工会。")})
    reason = forms.CharField(label=_("转会原因"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("请填写转会原因，例如“调动到新单位工作”。")})

    def target(self):
        pk = self.cleaned_data.get("to_union")
        if not pk:
            return None
        return UnionNode.objects.unscoped().filter(pk=pk).first()
