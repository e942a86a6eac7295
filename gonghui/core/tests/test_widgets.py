import datetime

from django import forms
from django.utils import translation

from gonghui.core.widgets import DateInput


class _Form(forms.Form):
    day = forms.DateField(widget=DateInput())


def test_the_date_picker_gets_an_iso_value_in_chinese():
    with translation.override("zh-hans"):
        html = str(_Form(initial={"day": datetime.date(2026, 11, 25)})["day"])
    assert 'type="date"' in html and 'value="2026-11-25"' in html
