"""Forms of the enrolment pages: the sign-up questions, staff add/remove, the typed check-in code."""

from django import forms
from django.utils.translation import gettext_lazy as _


class SignUpForm(forms.Form):
    """The offering's questions as fields ``q_<key>`` (and the number of places, when more than one
    may be taken); the service checks the answers again and its errors land beside these fields."""

    def __init__(self, offering, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.offering = offering
        for question in offering.questions or []:
            name, label = f"q_{question['key']}", question["label"]
            required = bool(question.get("required"))
            if question.get("type") == "choice":
                choices = [("", _("请选择"))] + [(c, c) for c in question.get("choices", [])]
                self.fields[name] = forms.ChoiceField(label=label, required=required, choices=choices)
            elif question.get("type") == "number":
                self.fields[name] = forms.CharField(label=label, required=required, max_length=20,
                                                    widget=forms.TextInput(attrs={"inputmode": "decimal"}))
            else:
                self.fields[name] = forms.CharField(label=label, required=required, max_length=500)
        if offering.per_person_limit > 1:
            self.fields["seats"] = forms.TypedChoiceField(
                label=_("报名人数"), coerce=int, initial=1,
                choices=[(n, str(n)) for n in range(1, offering.per_person_limit + 1)])

    def answers(self) -> dict:
        """The raw answers by question key (the service validates them)."""
        return {q["key"]: self.data.get(f"q_{q['key']}", "") for q in self.offering.questions or []}

    def seats(self):
        return self.data.get("seats", 1) if "seats" in self.fields else 1


class StaffAddForm(forms.Form):
    person = forms.CharField(label=_("职工手机号或身份证号"), max_length=30,
                             widget=forms.TextInput(attrs={"autocomplete": "off"}))
    seats = forms.IntegerField(label=_("名额数"), min_value=1, initial=1)
    reason = forms.CharField(label=_("原因"), max_length=300,
                             help_text=_("例如“电话报名”“纸质报名表”，会记入操作日志。"))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=300,
                             help_text=_("会告知该职工，并记入操作日志。"))


class CodeForm(forms.Form):
    code = forms.CharField(label=_("签到码"), max_length=12,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                                         "inputmode": "text", "autofocus": True}))
