"""Pages of the reports part: the wage-arrears board, the figures (with the .xlsx export) and the
three PDF documents. Thin: the rules are in board.py, figures.py and documents.py."""

import datetime

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch
from django.utils import timezone
from django.views import View

from gonghui.audit.models import AuditEntry
from gonghui.audit.services import record
from gonghui.core.scope import has_permission, paths_with_permission
from gonghui.core.views import StaffRequiredMixin
from gonghui.legal import board as board_rules
from gonghui.legal import documents
from gonghui.legal import figures as figure_rules
from gonghui.legal.access import get_legal_case_or_404, is_applicant, is_assigned_lawyer
from gonghui.legal.models import LegalTally

VIEW = "legal.view"


def _require_view(request) -> None:
    if not has_permission(request.user, VIEW):
        raise PermissionDenied


def _int(raw) -> int | None:
    try:
        return int(raw) if raw not in (None, "") else None
    except (TypeError, ValueError):
        return None


def today() -> datetime.date:
    return timezone.localdate()


def scoped_cases(user):
    """The cases the user sees. ``large=True``: the scope is checked on each row rather than read
    through the path index, so the planner drives the board and the figures by their own indexes
    (matter and closing date; the dates of the year) — a centre's subtree is all of its cases."""
    from gonghui.legal.models import LegalCase

    return LegalCase.objects.visible_to(user, VIEW, large=True)


def scoped_consultations(user):
    from gonghui.legal.models import Consultation

    return Consultation.objects.visible_to(user, VIEW)


def district_choices(user) -> list:
    """The district federations served by the legal-aid centres the user sees (for the filters)."""
    from gonghui.core.scope import subtree_q
    from gonghui.legal.models import LegalCentre
    from gonghui.orgs.models import UnionNode

    federations = sorted({p for p in LegalCentre.objects.visible_to(user, VIEW)
                          .values_list("federation__path", flat=True)})
    if not federations:
        if paths_with_permission(user, VIEW) is None:  # a superuser without centres: every district
            return list(UnionNode.objects.unscoped().filter(kind=UnionNode.Kind.DISTRICT_FEDERATION)
                        .order_by("path")[:200])
        return []
    q = None
    for path in federations:
        q = subtree_q("path", path) if q is None else q | subtree_q("path", path)
    return list(UnionNode.objects.unscoped().filter(q, kind=UnionNode.Kind.DISTRICT_FEDERATION)
                .order_by("path")[:200])


def case_url(pk) -> str:
    from gonghui.core.urlcache import object_url

    try:
        return object_url("legal:case", pk)
    except NoReverseMatch:
        return ""


# ----- the wage-arrears board -----

class ArrearsBoardView(StaffRequiredMixin, View):
    def get(self, request):
        _require_view(request)
        day = today()
        district_id = _int(request.GET.get("district"))
        employer = (request.GET.get("employer") or "").strip()[:220]
        cases = scoped_cases(request.user)
        data = board_rules.board(cases, day, district_id=district_id)
        listed = board_rules.case_page_source(cases, day, data, district_id=district_id, employer=employer)
        page = Paginator(listed, 20).get_page(request.GET.get("page"))
        rows = [{"obj": c, "url": case_url(c.pk), "days_open": (day - c.submitted_on).days} for c in page.object_list]
        return render(request, "legal/reports_board.html", {
            **data, "page_obj": page, "page_sizes": (20,), "case_rows": rows, "district_id": district_id, "employer": employer,
            "employer_name": data["employer_names"].get(employer, ""),
            "district_choices": district_choices(request.user), "section": "arrears",
        })


# ----- the figures -----

def _year(raw) -> int:
    this_year = today().year
    year = _int(raw)
    if year is None:
        return this_year
    return min(max(year, 2000), this_year)


def _district(user, raw):
    """The district asked for: one of the user's district choices, else 404."""
    pk = _int(raw)
    if raw in (None, ""):
        return None
    for node in district_choices(user):
        if node.pk == pk:
            return node
    raise Http404


def figures_for(user, year_raw, district_raw) -> dict:
    year = _year(year_raw)
    district = _district(user, district_raw)
    return figure_rules.report(scoped_cases(user), scoped_consultations(user), year, district=district,
                               tallies=LegalTally.objects.visible_to(user, VIEW))


class FiguresView(StaffRequiredMixin, View):
    def get(self, request):
        _require_view(request)
        data = figures_for(request.user, request.GET.get("year"), request.GET.get("district"))
        this_year = today().year
        return render(request, "legal/reports_figures.html", {
            **data, "chart": figure_rules.chart(data), "years": list(range(this_year, this_year - 6, -1)),
            "district_choices": district_choices(request.user), "section": "figures",
        })


class FiguresExportView(StaffRequiredMixin, View):
    def get(self, request):
        _require_view(request)
        data = figures_for(request.user, request.GET.get("year"), request.GET.get("district"))
        record(request.user, AuditEntry.Action.EXPORT, None, event="legal.figures_exported",
               extra={"year": data["year"], "district": data["district"].pk if data["district"] else None})
        response = HttpResponse(figure_rules.to_xlsx(data),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        suffix = f"-{data['district'].pk}" if data["district"] else ""
        response["Content-Disposition"] = f'attachment; filename="legal-aid-{data["year"]}{suffix}.xlsx"'
        return response


# ----- the PDF documents -----

def _pdf_response(data: bytes, name: str, request) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _staff_may_view(user, legal_case) -> bool:
    return has_permission(user, VIEW, legal_case.node_path)


class ApplicationPdfView(View):
    """The application form: staff of the case, its assigned lawyer and the applicant."""

    def get(self, request, pk):
        if not request.user.is_authenticated:
            raise Http404
        legal_case = get_legal_case_or_404(request.user, pk)
        return _pdf_response(documents.application_pdf(legal_case),
                             documents.filename("application", legal_case.case.number), request)


class LetterPdfView(View):
    """The assignment letter (委派函): staff of the case and the lawyer it was issued to — not the
    applicant (the letter is addressed to the lawyer and the firm)."""

    def get(self, request, pk):
        if not request.user.is_authenticated:
            raise Http404
        legal_case = get_legal_case_or_404(request.user, pk)
        if not (_staff_may_view(request.user, legal_case) or is_assigned_lawyer(request.user, legal_case)):
            raise Http404
        assignment = documents.active_assignment(legal_case) or documents.latest_assignment(legal_case)
        if assignment is None:
            raise Http404
        if not _staff_may_view(request.user, legal_case) and not assignment.active:
            raise Http404
        return _pdf_response(documents.letter_pdf(assignment),
                             documents.filename("assignment-letter", legal_case.case.number), request)


class ClosingPdfView(View):
    """The closing report of a closed case: staff, the assigned lawyer and the applicant."""

    def get(self, request, pk):
        if not request.user.is_authenticated:
            raise Http404
        legal_case = get_legal_case_or_404(request.user, pk)
        if legal_case.closed_on is None:
            raise Http404
        if not (_staff_may_view(request.user, legal_case) or is_assigned_lawyer(request.user, legal_case)
                or is_applicant(request.user, legal_case)):
            raise Http404
        return _pdf_response(documents.closing_pdf(legal_case),
                             documents.filename("closing-report", legal_case.case.number), request)
