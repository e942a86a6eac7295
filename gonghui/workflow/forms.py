"""Forms built from a transition's declared fields, so a new case type needs no form code."""

from django import forms
from django.utils.translation import gettext_lazy as _

from gonghui.core.widgets import DateInput
from gonghui.workflow.declarations import Transition
from gonghui.workflow.models import HolidayOverride
from gonghui.workflow.services import transfer_targets

MAX_TRANSFER_CHOICES = 300


def transition_form(transition: Transition, case, data=None) -> forms.Form:
    fields = {"version": forms.IntegerField(widget=forms.HiddenInput, initial=case.version)}
    for f in transition.fields:
        common = {"label": f.label, "required": f.required, "help_text": f.help_text,
                  # Say what is missing, not Django's generic "this field is required".
                  "error_messages": {"required": _("请填写%(label)s。") % {"label": f.label}}}
        if f.kind == "textarea":
            fields[f.name] = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, **common)
        elif f.kind == "choice":
            fields[f.name] = forms.ChoiceField(choices=[("", "——")] + list(f.choices), **common)
        elif f.kind == "integer":
            fields[f.name] = forms.IntegerField(**common)
        elif f.kind == "boolean":
            fields[f.name] = forms.BooleanField(**common)
        elif f.kind == "node":
            targets = (f.targets(case) if f.targets else transfer_targets(case))[:MAX_TRANSFER_CHOICES]
            fields[f.name] = forms.ChoiceField(
                choices=[("", "——")] + [(n.pk, f"{n.name}（{n.kind_label}）") for n in targets], **common)
        else:
            fields[f.name] = forms.CharField(max_length=200, **common)
    form_class = type(f"{transition.name.title()}Form", (forms.Form,), fields)
    return form_class(data, prefix=transition.name)


class CommentForm(forms.Form):
    text = forms.CharField(label=_("留言"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    internal = forms.BooleanField(label=_("仅内部可见（申请人看不到）"), required=False)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("附件"))
    internal = forms.BooleanField(label=_("仅内部可见"), required=False)


class HolidayOverrideForm(forms.ModelForm):
    class Meta:
        model = HolidayOverride
        fields = ["day", "is_working_day", "note"]
        widgets = {"day": DateInput()}
