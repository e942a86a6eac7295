"""Figures of enrolment and the .xlsx exports (roster, figures).

Per offering: capacity, places taken (confirmed + offered seats), waiting, attended, no-shows
(confirmed, not checked in, the offering over). Per organising union and month of sign-up: people
reached — distinct persons who held a confirmed place — in total and by the offering's audience
group. Everything is counted from the enrolment rows the user may see (``enrolment.view``), so
each figure traces back to its rows.
"""

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import ExtractMonth
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.audit.services import record
from gonghui.core.spreadsheet import book, xlsx_response
from gonghui.enrolment.models import Audience, Enrolment, Offering

VIEW = "enrolment.view"
S = Enrolment.Status


def year_choices() -> list[int]:
    this = timezone.localdate().year
    return list(range(this + 1, this - 5, -1))


def params_from(query) -> dict:
    try:
        year = int(query.get("year", ""))
    except ValueError:
        year = timezone.localdate().year
    if not 2000 <= year <= 2100:
        year = timezone.localdate().year
    kind = query.get("kind", "")
    return {"year": year, "kind": kind if kind in Offering.Kind.values else ""}


def compute(user, *, year: int, kind: str = "") -> dict:
    now = timezone.now()
    offerings = Offering.objects.visible_to(user, VIEW).filter(created_at__year=year).exclude(status="draft")
    if kind:
        offerings = offerings.filter(kind=kind)
    per_offering = list(
        offerings.select_related("node").order_by("node_path", "-created_at").annotate(
            attended=Count("enrolments", filter=Q(enrolments__attended_at__isnull=False)),
            confirmed_people=Count("enrolments", filter=Q(enrolments__status=S.CONFIRMED)),
            no_shows=Count("enrolments", filter=Q(enrolments__status=S.CONFIRMED,
                                                  enrolments__attended_at__isnull=True,
                                                  ends_at__lt=now)),
            signups=Count("enrolments", filter=~Q(enrolments__status__in=[S.CANCELLED, S.REMOVED, S.EXPIRED])),
        )[:500])
    for row in per_offering:
        row.over = bool(row.ends_at and row.ends_at < now)
    enrolments = Enrolment.objects.visible_to(user, VIEW).filter(created_at__year=year, status=S.CONFIRMED)
    if kind:
        enrolments = enrolments.filter(offering__kind=kind)
    groups = {a: Count("user", distinct=True, filter=Q(offering__audience=a)) for a in Audience.values}
    by_union_month = list(
        enrolments.annotate(month=ExtractMonth("created_at"))
        .values("offering__node__name", "offering__node__short_name", "offering__node_path", "month")
        .annotate(people=Count("user", distinct=True), **{f"g_{a}": c for a, c in groups.items()})
        .order_by("offering__node_path", "month"))
    for row in by_union_month:
        row["union"] = row["offering__node__short_name"] or row["offering__node__name"]
        row["groups"] = [row[f"g_{a}"] for a in Audience.values]
    by_month = {m: 0 for m in range(1, 13)}
    for row in enrolments.annotate(month=ExtractMonth("created_at")).values("month").annotate(
            people=Count("user", distinct=True)):
        by_month[row["month"]] = row["people"]
    totals = offerings.aggregate(capacity=Sum("capacity"), taken=Sum("confirmed_count"), waiting=Sum("waiting_count"))
    totals = {k: v or 0 for k, v in totals.items()}
    totals["people"] = enrolments.values("user").distinct().count()
    totals["attended"] = sum(r.attended for r in per_offering)
    totals["no_shows"] = sum(r.no_shows for r in per_offering)
    totals["offerings"] = len(per_offering)
    return {
        "year": year, "kind": kind, "per_offering": per_offering, "by_union_month": by_union_month,
        "audiences": Audience.choices, "totals": totals,
        "month_labels": [_("%(m)d月") % {"m": m} for m in range(1, 13)],
        "month_values": [by_month[m] for m in range(1, 13)],
    }


def _local(value, fmt="%Y-%m-%d %H:%M") -> str:
    return timezone.localtime(value).strftime(fmt) if value else ""


def roster_rows(user, offering) -> tuple[list, list]:
    questions = offering.questions or []
    header = [_("姓名"), _("手机号码"), _("状态"), _("名额数"), _("候补序号"), _("报名时间"), _("签到码"),
              _("签到时间"), _("原因")] + [q["label"] for q in questions]
    rows = []
    qs = (Enrolment.objects.visible_to(user, VIEW).filter(offering=offering).select_related("worker", "user")
          .order_by("status", F("position").asc(nulls_first=True), "created_at", "id"))
    for e in qs:
        rows.append([e.person_name, e.person_mobile,
                     e.get_status_display(), e.seats, e.position or "", _local(e.created_at), e.code,
                     _local(e.attended_at), e.reason] + [str(e.answers.get(q["key"], "")) for q in questions])
    return header, rows


def roster_response(request, offering) -> HttpResponse:
    header, rows = roster_rows(request.user, offering)
    content = book([(_("报名名单"), header, rows)])
    record(request.user, "export", offering, event="enrolment.roster", node=offering.node, extra={"rows": len(rows)})
    return xlsx_response(content, f"roster-{offering.pk}.xlsx")


def figures_response(request, data: dict, params: dict) -> HttpResponse:
    offering_rows = [[o.title, o.node.display_name, o.get_kind_display(), o.get_audience_display(), o.capacity,
                      o.confirmed_count, o.waiting_count, o.attended, o.no_shows] for o in data["per_offering"]]
    union_rows = [[r["union"], f"{data['year']}-{r['month']:02d}", r["people"], *r["groups"]]
                  for r in data["by_union_month"]]
    content = book([
        (_("按项目"), [_("项目"), _("主办工会"), _("类别"), _("报名对象"), _("名额"), _("已报名"), _("候补"),
                     _("已签到"), _("未到")], offering_rows),
        (_("按工会和月份"), [_("主办工会"), _("月份"), _("覆盖人数（去重）"),
                         *[str(label) for _v, label in Audience.choices]], union_rows),
    ])
    record(request.user, "export", None, event="enrolment.figures", extra={"year": params["year"], "kind": params["kind"]})
    return xlsx_response(content, f"enrolment-figures-{params['year']}.xlsx")
