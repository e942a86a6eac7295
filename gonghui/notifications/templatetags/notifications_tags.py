"""A short time for the inbox: "20:39" today, "昨天 18:42", "11月20日" this year, else the full date."""

from datetime import timedelta

from django import template
from django.utils import dateformat, timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def msg_time(value) -> str:
    if not value:
        return ""
    local = timezone.localtime(value)
    today = timezone.localdate()
    if local.date() == today:
        return date_format(local, "H:i")
    if local.date() == today - timedelta(days=1):
        return _("昨天 %(time)s") % {"time": date_format(local, "H:i")}
    if local.year == today.year:
        return dateformat.format(local, _("n月j日"))  # the locale's MONTH_DAY_FORMAT pads the month
    return date_format(local, "DATE_FORMAT")
