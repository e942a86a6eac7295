from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration_zh(seconds) -> str:
    """3600 → 1小时; 90000 → 1天1小时; 600 → 10分钟."""
    try:
        seconds = int(seconds)
    except (TypeError, ValueError):
        return ""
    minutes = max(seconds // 60, 0)
    days, rest = divmod(minutes, 60 * 24)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(d)s天%(h)s小时") % {"d": days, "h": hours} if hours else _("%(d)s天") % {"d": days}
    if hours:
        return _("%(h)s小时%(m)s分钟") % {"h": hours, "m": minutes} if minutes else _("%(h)s小时") % {"h": hours}
    return _("%(m)s分钟") % {"m": max(minutes, 1)}


@register.filter
def hours_zh(hours) -> str:
    if hours is None:
        return "—"
    return duration_zh(float(hours) * 3600)
