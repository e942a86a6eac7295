from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class PreferenceForm(forms.Form):
    sms = forms.BooleanField(label=_("短信通知"), required=False)
    email = forms.BooleanField(label=_("邮件通知"), required=False)
    email_address = forms.EmailField(
        label=_("电子邮箱"), required=False,
        error_messages={"invalid": _("邮箱地址格式不正确，请检查后重新填写，例如 name@example.com。")},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    language = forms.ChoiceField(label=_("通知语言"), choices=settings.LANGUAGES)

    def clean(self):
        data = super().clean()
        if data.get("email") and not data.get("email_address") and "email_address" not in self.errors:
            self.add_error("email_address", _("要接收邮件通知，请填写电子邮箱。"))
        return data
