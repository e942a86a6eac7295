"""A course's results as .xlsx: what a union sends the certifying body and keeps on file — every
trainee with attendance, score, the pass rule's verdict and the certificate number."""

from django.utils import timezone
from django.utils.translation import gettext as _

from gonghui.audit.services import record
from gonghui.core.spreadsheet import book, xlsx_response
from gonghui.courses import services as svc
from gonghui.courses.templatetags.courses_tags import plain_score


def results_rows(course) -> tuple[list, list]:
    header = [_("姓名"), _("手机号码"), _("出勤（次）"), _("课次"), _("出勤率（%）"), _("成绩"), _("考试日期"),
              _("评定"), _("未合格原因"), _("证书编号"), _("证书状态")]
    rows = []
    for r in svc.standings(course):
        e, outcome, certificate = r.enrolment, r.outcome, r.certificate
        rows.append([
            e.person_name, e.person_mobile, r.present, r.sessions,
            outcome.attendance_pct if outcome.attendance_pct is not None else "",
            plain_score(outcome.score) if outcome.score is not None else "",
            r.result.taken_on.isoformat() if r.result and r.result.taken_on else "",
            _("合格") if outcome.passed else _("未合格"), "" if outcome.passed else " ".join(outcome.reasons),
            certificate.number if certificate else "",
            (_("已撤销") if certificate.revoked else _("有效")) if certificate else ""])
    return header, rows


def results_response(request, course):
    header, rows = results_rows(course)
    content = book([(_("成绩和评定"), header, rows)])
    record(request.user, "export", course, event="courses.results", node=course.offering.node,
           extra={"rows": len(rows)})
    stamp = timezone.localdate().strftime("%Y%m%d")
    return xlsx_response(content, f"course-{course.pk}-results-{stamp}.xlsx")
