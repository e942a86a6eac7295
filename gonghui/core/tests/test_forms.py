from django import forms
from django.core.exceptions import ValidationError

from gonghui.core.forms import apply_errors


class _Form(forms.Form):
    amount = forms.CharField()
    letter = forms.FileField(required=False)


def _bound():
    form = _Form({"amount": "1"})
    assert form.is_valid()
    return form


def test_field_errors_go_to_their_fields_and_the_rest_above():
    form = _bound()
    apply_errors(form, ValidationError({"amount": ["金额超过上限。"], "fund": ["资金不足。"]}))
    assert form.errors["amount"] == ["金额超过上限。"] and form.non_field_errors() == ["资金不足。"]


def test_a_plain_sentence_goes_above_the_form():
    form = _bound()
    apply_errors(form, ValidationError("请先记录入户调查。"))
    assert form.non_field_errors() == ["请先记录入户调查。"]


def test_aliases_rename_the_services_field():
    form = _bound()
    apply_errors(form, ValidationError({"file": ["文件不是图片。"]}), {"file": "letter"})
    assert form.errors["letter"] == ["文件不是图片。"]
