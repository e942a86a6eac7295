"""The inbox in the worker portal (消息) and in the staff console (消息通知).

Notifications belong to a user, not a union node: every query filters by ``request.user``, and
another user's notification is 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.notifications import services
from gonghui.notifications.forms import PreferenceForm
from gonghui.notifications.models import Notification

WORKER_LOGIN = "accounts:worker_login"
PORTAL_PAGE_SIZE = 20
CONSOLE_PAGE_SIZES = (20, 50, 100)


def _page(request, user, per_page: int):
    return Paginator(services.inbox(user), per_page).get_page(request.GET.get("page"))


def _safe_link(request, link: str) -> str:
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()},
                                                require_https=request.is_secure()):
        return link
    return ""


def _not_found(request):
    return render(request, "core/error.html", {"status": 404, "message": _("页面不存在。")}, status=404)


def staff_only(view):
    """Console pages are for staff and partners; a worker gets 404 like on every console page."""
    @login_required
    def wrapped(request, *args, **kwargs):
        if request.user.kind == "worker":
            return _not_found(request)
        return view(request, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


# ---- worker portal ----

@login_required(login_url=WORKER_LOGIN)
def inbox(request):
    page_obj = _page(request, request.user, PORTAL_PAGE_SIZE)
    return render(request, "notifications/inbox.html", {
        "page_obj": page_obj, "object_list": page_obj.object_list,
        "unread": services.unread_count(request.user), "channels_summary": _channels_summary(request.user),
    })


@login_required(login_url=WORKER_LOGIN)
def open_notification(request, pk: int):
    """Opening a notification marks it read and follows its link (or shows it in full)."""
    notification = services.get_own(request.user, pk)
    services.mark_read(request.user, [notification.pk])
    if link := _safe_link(request, notification.link):
        return redirect(link)
    notification.refresh_from_db()
    return render(request, "notifications/detail.html", {"notification": notification})


def _preference_form(request, data=None):
    pref = services.preference_for(request.user)
    return PreferenceForm(data, initial={
        "sms": pref.sms, "email": pref.email, "email_address": pref.email_address, "language": pref.language,
    })


def _has_phone(user) -> bool:
    return bool(getattr(user, "phone", None))


def _preferences(request, template: str, done: str):
    if request.method == "POST":
        form = _preference_form(request, request.POST)
        if form.is_valid():
            services.save_preferences(request.user, **form.cleaned_data)
            messages.success(request, _("通知设置已保存。"))
            return redirect(done)
    else:
        form = _preference_form(request)
    return render(request, template, {"form": form, "has_phone": _has_phone(request.user)})


def _channels_summary(user) -> str:
    pref = services.preference_for(user)
    names = [str(Notification.Channel.INBOX.label)]
    if pref.sms and _has_phone(user):
        names.append(str(Notification.Channel.SMS.label))
    if pref.email and pref.email_address:
        names.append(str(Notification.Channel.EMAIL.label))
    return _("、").join(names)


@login_required(login_url=WORKER_LOGIN)
def preferences(request):
    return _preferences(request, "notifications/preferences.html", "notifications:inbox")


def _mark_all(request, target: str):
    count = services.mark_all_read(request.user)
    if count:
        messages.success(request, _("已将 %(count)s 条消息标为已读。") % {"count": count})
    return redirect(target)


@require_POST
@login_required(login_url=WORKER_LOGIN)
def read_all(request):
    return _mark_all(request, "notifications:inbox")


# ---- staff console ----

@staff_only
def console_inbox(request):
    try:
        per_page = int(request.GET.get("per_page", ""))
    except ValueError:
        per_page = CONSOLE_PAGE_SIZES[0]
    if per_page not in CONSOLE_PAGE_SIZES:
        per_page = CONSOLE_PAGE_SIZES[0]
    page_obj = _page(request, request.user, per_page)
    return render(request, "notifications/console_inbox.html", {
        "page_obj": page_obj, "object_list": page_obj.object_list, "page_sizes": CONSOLE_PAGE_SIZES,
        "unread": services.unread_count(request.user),
        "form": _preference_form(request), "has_phone": _has_phone(request.user),
    })


@staff_only
def console_preferences(request):
    return _preferences(request, "notifications/console_preferences.html", "notifications:console_inbox")


@staff_only
def console_open(request, pk: int):
    notification = services.get_own(request.user, pk)
    services.mark_read(request.user, [notification.pk])
    if link := _safe_link(request, notification.link):
        return redirect(link)
    notification.refresh_from_db()
    return render(request, "notifications/console_detail.html", {"notification": notification})


@require_POST
@staff_only
def console_read_all(request):
    return _mark_all(request, "notifications:console_inbox")
