from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from gonghui.accounts import roles


class StaffLoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确。"),
        "inactive": _("该账号已停用。"),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.kind == user.Kind.WORKER:
            raise forms.ValidationError(_("职工请使用手机号和验证码登录。"), code="worker")


class PhoneForm(forms.Form):
    phone = forms.CharField(label=_("手机号码"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))


class CodeLoginForm(PhoneForm):
    code = forms.CharField(label=_("验证码"), max_length=6,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))


class GrantForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    node = forms.ModelChoiceField(label=_("工会组织"), queryset=None)
    role = forms.ChoiceField(label=_("角色"), choices=())

    def __init__(self, *args, nodes, **kwargs):
        super().__init__(*args, **kwargs)
        # Choice fields list only the nodes this user may grant at.
        self.fields["node"].queryset = nodes
        self.fields["role"].choices = roles.role_choices()
