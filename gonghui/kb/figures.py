"""咨询统计: what workers search for and do not find, what they read, what they ask, how fast
staff answer — all counted from the rows the reader may see.

- searches with no result: SearchLog rows of the reader's subtree (kb.view), grouped by the words
  typed, most frequent first (what to write next); top-node staff also see anonymous searches;
- most read articles: published articles of the subtree (kb.view) by ``views``;
- questions by topic: consultation requests of the subtree (requests.view) by category, asked and
  answered;
- answer time: from asking to the answer (the request's outcome), median and average, and the
  share answered within the time limit (``Request.on_time``, set by the requests services).
"""

import statistics
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.core.scope import has_permission, paths_with_permission
from gonghui.kb import services_questions as svc
from gonghui.kb.models import Article, SearchLog
from gonghui.orgs.models import STEP_LEN

PERIODS = ((30, _("近30天")), (90, _("近90天")), (365, _("近一年")))
DEFAULT_DAYS = 90
TOP = 20
TOP_READ = 10
MEDIAN_SAMPLE = 20_000  # the median reads at most this many answer times (the latest)


def parse_days(value) -> int:
    try:
        days = int(value)
    except (TypeError, ValueError):
        return DEFAULT_DAYS
    return days if days in {p for p, _label in PERIODS} else DEFAULT_DAYS


@dataclass
class Figures:
    days: int
    zero_searches: list = field(default_factory=list)    # (query, count, last time)
    zero_total: int = 0
    searches_total: int = 0
    most_read: list = field(default_factory=list)        # Article rows
    by_topic: list = field(default_factory=list)         # (category id, label, asked, answered)
    asked: int = 0
    answered: int = 0
    unanswered: int = 0
    overdue: int = 0
    faqs_made: int = 0
    median_hours: float | None = None
    average_hours: float | None = None
    on_time: int = 0
    timed: int = 0

    @property
    def on_time_rate(self):
        return round(100 * self.on_time / self.timed, 1) if self.timed else None

    @property
    def zero_rate(self):
        return round(100 * self.zero_total / self.searches_total, 1) if self.searches_total else None


def _search_logs(user):
    qs = SearchLog.objects.visible_to(user, "kb.view")
    paths = paths_with_permission(user, "kb.view")
    if paths is None or any(len(p) == STEP_LEN for p in paths):
        # Staff at the top node also see searches nobody could be placed for (anonymous visitors).
        qs = SearchLog.objects.unscoped().filter(Q(pk__in=qs.values("pk")) | Q(node_path=""))
    return qs


def build(user, *, days: int = DEFAULT_DAYS, now=None) -> Figures:
    now = now or timezone.now()
    since = now - timezone.timedelta(days=days)
    report = Figures(days=days)

    if has_permission(user, "kb.view"):
        logs = _search_logs(user).filter(created_at__gte=since)
        totals = logs.aggregate(n=Count("pk"), zero=Count("pk", filter=Q(results=0)))
        report.searches_total, report.zero_total = totals["n"], totals["zero"]
        report.zero_searches = [
            (row["query"], row["n"], row["last"])
            for row in logs.filter(results=0).values("query").annotate(n=Count("pk"), last=Max("created_at"))
            .order_by("-n", "-last")[:TOP]
        ]
        report.most_read = list(Article.objects.visible_to(user, "kb.view")
                                .filter(status=Article.Status.PUBLISHED, views__gt=0)
                                .select_related("node").order_by("-views", "-pk")[:TOP_READ])

    if has_permission(user, "requests.view"):
        questions = svc.visible_questions(user).filter(case__created_at__gte=since)
        answered = svc.answered_q()
        counts = questions.aggregate(
            n_asked=Count("pk"), n_answered=Count("pk", filter=answered),
            n_overdue=Count("pk", filter=~answered & Q(case__is_open=True, case__due_at__lt=now)),
            n_on_time=Count("pk", filter=answered & Q(on_time=True)),
            n_timed=Count("pk", filter=answered & Q(on_time__isnull=False)))
        report.asked, report.answered = counts["n_asked"], counts["n_answered"]
        report.unanswered = report.asked - report.answered
        report.overdue, report.on_time, report.timed = counts["n_overdue"], counts["n_on_time"], counts["n_timed"]
        report.by_topic = [
            (row["category_id"], row["category__name"], row["n"], row["done"])
            for row in questions.values("category_id", "category__name")
            .annotate(n=Count("pk"), done=Count("pk", filter=answered)).order_by("-n", "category_id")
        ]
        from gonghui.requests.models import Category

        labels = {c.pk: c.label for c in Category.objects.all()}
        report.by_topic = [(cid, labels.get(cid, name), n, done) for cid, name, n, done in report.by_topic]
        times = [
            (outcome_at - created).total_seconds() / 3600
            for created, outcome_at in questions.filter(answered, outcome_at__isnull=False)
            .order_by("-case_id").values_list("case__created_at", "outcome_at")[:MEDIAN_SAMPLE]
        ]
        times = [t for t in times if t >= 0]
        if times:
            report.median_hours = round(statistics.median(times), 1)
            report.average_hours = round(statistics.fmean(times), 1)
        # FAQs published in the period from questions of the subtree (whenever they were asked).
        report.faqs_made = (Article.objects.unscoped()
                            .filter(source_request__in=svc.visible_questions(user).values("pk"),
                                    published_at__gte=since)
                            .exclude(status=Article.Status.ARCHIVED).count())
    return report


def chart_data(report: Figures) -> dict:
    return {
        "topic": {"labels": [r[1] for r in report.by_topic], "asked": [r[2] for r in report.by_topic],
                  "answered": [r[3] for r in report.by_topic], "ids": [r[0] for r in report.by_topic]},
        "zero": {"labels": [r[0] for r in report.zero_searches[:10]], "values": [r[1] for r in report.zero_searches[:10]]},
    }


def as_dict(report: Figures) -> dict:
    """The figures as JSON (the API)."""
    return {
        "days": report.days,
        "searches": report.searches_total, "zero_result_searches": report.zero_total,
        "zero_result_queries": [{"query": q, "count": n, "last_at": last} for q, n, last in report.zero_searches],
        "most_read": [{"id": a.pk, "title": a.title, "kind": a.kind, "views": a.views, "node_name": a.node.name}
                      for a in report.most_read],
        "questions": {"asked": report.asked, "answered": report.answered, "unanswered": report.unanswered,
                      "overdue": report.overdue, "faqs_made": report.faqs_made},
        "by_topic": [{"category_id": cid, "label": label, "asked": n, "answered": done}
                     for cid, label, n, done in report.by_topic],
        "answer_time": {"median_hours": report.median_hours, "average_hours": report.average_hours,
                        "on_time": report.on_time, "timed": report.timed, "on_time_rate": report.on_time_rate},
    }
