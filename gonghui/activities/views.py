"""Pages of the activities app: the portal (list with a month calendar, an activity with its sign-up)
and the console (list, create, edit, publish, cancel, report and photos). Thin: the rules are in
``services``; sign-ups, rosters and check-in are the enrolment app's pages."""

import datetime
from pathlib import PurePosixPath

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gonghui.activities import month as month_mod
from gonghui.activities import services as svc
from gonghui.activities.forms import ActivityForm, CancelForm, PhotoForm, ReportForm
from gonghui.activities.images import CONTENT_TYPES
from gonghui.activities.models import Activity, ActivityPhoto
from gonghui.core.forms import apply_errors
from gonghui.core.scope import get_visible_or_404, has_permission, require_permission
from gonghui.core.views import ScopedListView
from gonghui.enrolment.models import Enrolment, Offering

PUBLISHED = Offering.Status.PUBLISHED


def _worker_login(request):
    try:
        url = reverse("accounts:worker_login")
    except NoReverseMatch:
        url = None
    return redirect_to_login(request.get_full_path(), login_url=url)


# ----- portal -----

def portal_list(request):
    """活动: a month calendar (days with activities marked) and the list of what the person may join."""
    if not request.user.is_authenticated:
        return _worker_login(request)
    today = timezone.localdate()
    year, month = month_mod.parse_month(request.GET.get("month", ""), today)
    kind = request.GET.get("kind", "")
    kind = kind if kind in Activity.Kind.values else ""
    tab = request.GET.get("tab", "upcoming")
    tab = tab if tab in ("upcoming", "past") else "upcoming"
    base = svc.portal_activities(request.user).filter(offering__status=PUBLISHED)
    if kind:
        base = base.filter(kind=kind)
    start, end = svc.month_bounds(year, month)
    in_month = list(base.filter(starts_at__lt=end, ends_at__gt=start).order_by("starts_at"))
    weeks = month_mod.month_grid(year, month, in_month, today)

    day = None
    try:
        day = datetime.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        day = None
    now = timezone.now()
    if day is not None:
        day_start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        rows = base.filter(starts_at__lt=day_start + datetime.timedelta(days=1), ends_at__gt=day_start) \
            .order_by("starts_at")
    elif tab == "past":
        rows = base.filter(ends_at__lte=now).order_by("-starts_at", "-pk")
    else:
        rows = base.filter(ends_at__gt=now).order_by("starts_at", "pk")
    page = Paginator(rows, 10).get_page(request.GET.get("page"))
    mine = svc.my_enrolments(request.user, [a.pk for a in page.object_list])
    for activity in page.object_list:
        activity.my_enrolment = mine.get(activity.pk)
    prev_year, prev_month = month_mod.shift(year, month, -1)
    next_year, next_month = month_mod.shift(year, month, 1)
    return render(request, "activities/portal_list.html", {
        "weeks": weeks, "year": year, "month": month, "page_obj": page, "day": day, "tab": tab, "kind": kind,
        "kinds": Activity.Kind.choices, "prev_month": f"{prev_year}-{prev_month:02d}",
        "next_month": f"{next_year}-{next_month:02d}", "this_month": f"{year}-{month:02d}",
        "weekdays": [_("一"), _("二"), _("三"), _("四"), _("五"), _("六"), _("日")],
    })


def portal_detail(request, pk):
    if not request.user.is_authenticated:
        return _worker_login(request)
    activity = svc.portal_activities(request.user).filter(pk=pk).first()
    if activity is None:
        raise Http404
    offering = activity.offering
    return render(request, "activities/portal_detail.html", {
        "activity": activity, "offering": offering,
        "open_for_signup": offering.status == PUBLISHED and not activity.has_ended,
        "photos": list(ActivityPhoto.objects.unscoped().filter(activity=activity)) if activity.has_started else [],
        "my_enrolment": svc.my_enrolments(request.user, [activity.pk]).get(activity.pk),
        "attended": Enrolment.objects.unscoped().filter(offering=offering, attended_at__isnull=False).count()
        if activity.has_ended else 0,
    })


def _picture(file_field, content_type: str):
    if not file_field:
        raise Http404
    try:
        handle = file_field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def cover(request, pk):
    """An activity's cover for whoever may open the activity (portal audience or staff scope)."""
    activity = Activity.objects.unscoped().filter(svc.portal_q(request.user), pk=pk).first()
    if activity is None:
        raise Http404
    extension = PurePosixPath(activity.cover.name).suffix.lower()
    return _picture(activity.cover, CONTENT_TYPES.get(extension, "application/octet-stream"))


def photo(request, pk):
    photo = ActivityPhoto.objects.unscoped().select_related("activity").filter(pk=pk).first()
    if photo is None or not Activity.objects.unscoped().filter(svc.portal_q(request.user), pk=photo.activity_id) \
            .exists():
        raise Http404
    return _picture(photo.file, photo.content_type)


# ----- console -----

PHASE_TABS = [("", _("全部")), ("draft", _("草稿")), ("upcoming", _("未开始")), ("ongoing", _("进行中")),
              ("ended", _("已结束")), ("cancelled", _("已取消"))]


class ActivityList(ScopedListView):
    model = Activity
    permission = svc.VIEW
    template_name = "activities/console_list.html"
    partial_template_name = "activities/_console_table.html"
    filter_names = ("phase", "kind", "q")

    def get_queryset(self):
        qs = super().get_queryset().select_related("offering", "offering__node")
        g = self.request.GET
        if g.get("phase") in dict(PHASE_TABS):
            qs = qs.filter(svc.phase_q(g["phase"], timezone.now()))
        if g.get("kind") in Activity.Kind.values:
            qs = qs.filter(kind=g["kind"])
        if g.get("q", "").strip():
            qs = qs.filter(offering__title__icontains=g["q"].strip()[:100])
        return qs.order_by("-starts_at", "-pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        base = Activity.objects.visible_to(self.request.user, self.permission)
        now = timezone.now()
        ctx["tabs"] = [(value, label, base.filter(svc.phase_q(value, now)).count()) for value, label in PHASE_TABS]
        ctx["kinds"] = Activity.Kind.choices
        ctx["may_manage"] = has_permission(self.request.user, svc.MANAGE)
        return ctx


def _staff(request) -> bool:
    if not request.user.is_authenticated:
        return False
    if request.user.kind == "worker":
        raise Http404
    return True


def _console_activity(request, pk) -> Activity:
    return get_visible_or_404(Activity.objects.select_related("offering", "offering__node", "reported_by"),
                              request.user, svc.VIEW, pk=pk)


def activity_new(request):
    if not _staff(request):
        return redirect_to_login(request.get_full_path())
    if not has_permission(request.user, svc.MANAGE):
        raise PermissionDenied
    form = ActivityForm(request.POST or None, request.FILES or None, user=request.user)
    node_id = request.POST.get("node", "") if request.method == "POST" else ""
    if node_id.isdigit() and not form.fields["node"].queryset.filter(pk=int(node_id)).exists():
        raise Http404  # another subtree's union: out of scope, like every row
    if request.method == "POST" and form.is_valid():
        data = form.service_fields()
        data.pop("remove_cover", None)
        try:
            activity = svc.create_activity(by=request.user, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("活动已保存为草稿，检查无误后请发布。"))
            return redirect("activities:manage", pk=activity.pk)
    return render(request, "activities/console_form.html", {"form": form, "activity": None})


def activity_edit(request, pk):
    if not _staff(request):
        return redirect_to_login(request.get_full_path())
    activity = _console_activity(request, pk)
    require_permission(request.user, svc.MANAGE, activity.node_path)
    form = ActivityForm(request.POST or None, request.FILES or None, user=request.user, activity=activity)
    if request.method == "POST" and form.is_valid():
        data = form.service_fields()
        if form.fields["node"].disabled:
            data.pop("node", None)
        try:
            svc.update_activity(activity, by=request.user, **data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("activities:manage", pk=activity.pk)
    return render(request, "activities/console_form.html", {"form": form, "activity": activity})


def _roster_url(offering_pk: int) -> str:
    return reverse("enrolment:roster", kwargs={"pk": offering_pk})


def activity_manage(request, pk):
    if not _staff(request):
        return redirect_to_login(request.get_full_path())
    activity = _console_activity(request, pk)
    offering = activity.offering
    may_manage = has_permission(request.user, svc.MANAGE, activity.node_path)
    status = offering.status
    counts = {s: 0 for s in Enrolment.Status.values}
    for row in Enrolment.objects.unscoped().filter(offering=offering).values_list("status", flat=True):
        counts[row] += 1
    attended = Enrolment.objects.unscoped().filter(offering=offering, attended_at__isnull=False).count()
    return render(request, "activities/console_detail.html", {
        "activity": activity, "offering": offering, "counts": counts, "attended": attended,
        "photos": list(ActivityPhoto.objects.unscoped().filter(activity=activity)),
        "may_edit": may_manage and status != Offering.Status.CANCELLED,
        "may_publish": may_manage and status == Offering.Status.DRAFT and not activity.has_ended,
        "may_cancel": may_manage and status != Offering.Status.CANCELLED and not activity.has_ended,
        "may_report": may_manage and status == PUBLISHED and activity.has_ended,
        "may_photo": may_manage and status != Offering.Status.CANCELLED and activity.has_started,
        "report_form": ReportForm(initial={"report": activity.report}), "photo_form": PhotoForm(),
        "cancel_form": CancelForm(), "roster_url": _roster_url(offering.pk),
        "max_photos": svc.MAX_PHOTOS,
    })


@require_POST
def activity_action(request, pk, action):
    if not _staff(request):
        raise PermissionDenied
    if action not in ("publish", "cancel"):
        raise Http404
    activity = _console_activity(request, pk)
    require_permission(request.user, svc.MANAGE, activity.node_path)
    try:
        if action == "publish":
            svc.publish(activity, by=request.user)
            messages.success(request, _("已发布，符合条件的职工可以在门户上报名了。"))
        else:
            svc.cancel(activity, by=request.user, reason=request.POST.get("reason", "")[:300])
            messages.success(request, _("活动已取消，已通知报名和候补的职工。"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("activities:manage", pk=pk)


@require_POST
def activity_report(request, pk):
    if not _staff(request):
        raise PermissionDenied
    activity = _console_activity(request, pk)
    require_permission(request.user, svc.MANAGE, activity.node_path)
    form = ReportForm(request.POST)
    if form.is_valid():
        try:
            svc.save_report(activity, by=request.user, report=form.cleaned_data["report"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("活动总结已保存，门户的活动页上可以看到。"))
    else:
        messages.error(request, " ".join(m for errs in form.errors.values() for m in errs))
    return redirect("activities:manage", pk=pk)


@require_POST
def photo_add(request, pk):
    if not _staff(request):
        raise PermissionDenied
    activity = _console_activity(request, pk)
    require_permission(request.user, svc.MANAGE, activity.node_path)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            svc.add_photo(activity, by=request.user, content=form.cleaned_data["file"].read(),
                          caption=form.cleaned_data["caption"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("照片已上传。"))
    else:
        messages.error(request, _("请选择要上传的照片。"))
    return redirect("activities:manage", pk=pk)


@require_POST
def photo_delete(request, pk):
    if not _staff(request):
        raise PermissionDenied
    photo = get_visible_or_404(ActivityPhoto.objects.select_related("activity", "activity__offering__node"),
                               request.user, svc.VIEW, pk=pk)
    require_permission(request.user, svc.MANAGE, photo.activity.node_path)
    svc.delete_photo(photo, by=request.user)
    messages.success(request, _("照片已删除。"))
    return redirect("activities:manage", pk=photo.activity_id)
