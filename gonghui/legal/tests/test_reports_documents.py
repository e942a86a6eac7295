"""The three PDF documents: rendered to PNG by poppler (pdftoppm) and their Chinese text extracted
(pdftotext); who may download which."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from gonghui.accounts.models import User
from gonghui.accounts.tests.factories import StaffFactory, WorkerUserFactory
from gonghui.core.tests.pdftools import pdf_pages_png, pdf_text
from gonghui.legal import documents
from gonghui.legal.models import ClosingReport, LegalDocument, Stage
from gonghui.legal.tests.factories import make_legal_case, set_state
from gonghui.legal.tests.scope_cases_reports import assign, make_lawyer

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _squash(text: str) -> str:
    """pdftotext breaks lines where the layout wraps: compare without whitespace."""
    return "".join(text.split())


def _closed_case(tree, **fields):
    legal_case = make_legal_case(tree.g2, state="in_progress", documents=True, workers_involved=6,
                                 amount_claimed=Decimal("86000"), opponent_name="西城宏达建筑劳务有限公司", **fields)
    assignment = assign(legal_case)
    Stage.objects.create(legal_case=legal_case, kind="mediation", started_on=legal_case.submitted_on,
                         ended_on=legal_case.submitted_on, body="西城区劳动争议调解中心", docket_no="西调〔2026〕12号",
                         result="达成调解协议")
    final = LegalDocument.objects.unscoped().filter(legal_case=legal_case).first()
    final.kind = "final_document"
    final.save()
    ClosingReport.objects.create(legal_case=legal_case, text="经调解，用人单位同意分两期支付拖欠工资。", final_document=final)
    legal_case.outcome = "settled"
    legal_case.amount_awarded = Decimal("80000")
    legal_case.amount_recovered = Decimal("75000.50")
    legal_case.workers_covered = 6
    legal_case.rating = 5
    legal_case.rating_comment = "律师很负责"
    legal_case.save()
    return set_state(legal_case, "closed"), assignment


@pytest.mark.django_db
def test_application_form_renders_and_its_chinese_text_extracts(tree):
    legal_case = make_legal_case(tree.g2, documents=True, opponent_name="西城宏达建筑劳务有限公司",
                                 opponent_uscc="91350100M000100Y43", workers_involved=12, amount_claimed=Decimal("86000"))
    data = documents.application_pdf(legal_case)
    assert data.startswith(b"%PDF")
    pages = pdf_pages_png(data)
    assert len(pages) == 1 and pages[0].startswith(PNG_MAGIC)
    text = _squash(pdf_text(data))
    assert "工会法律援助申请表" in text
    assert legal_case.case.number in text
    assert legal_case.applicant_name in text
    assert "西城宏达建筑劳务有限公司" in text and "91350100M000100Y43" in text
    assert "工资报酬（欠薪）" in text and "农民工" in text
    assert "86,000.00元" in text and "12人" in text
    assert "劳动合同" in text  # the documents it carries


@pytest.mark.django_db
def test_assignment_letter_carries_its_number_and_the_case_number(tree):
    legal_case = make_legal_case(tree.g2, state="in_progress")
    assignment = assign(legal_case, make_lawyer(legal_case, name="赵律师", firm_name="江海明理律师事务所"))
    data = documents.letter_pdf(assignment)
    assert pdf_pages_png(data)[0].startswith(PNG_MAGIC)
    text = _squash(pdf_text(data))
    assert "工会法律援助案件委派函" in text
    assert assignment.number in text and assignment.number.startswith("江工法援委〔")
    assert legal_case.case.number in text
    assert "江海明理律师事务所：" in text and "赵律师" in text
    assert legal_case.case.node.name in text  # signed by the centre


@pytest.mark.django_db
def test_closing_report_has_outcome_amounts_stages_and_report(tree):
    legal_case, assignment = _closed_case(tree)
    data = documents.closing_pdf(legal_case)
    assert pdf_pages_png(data)[0].startswith(PNG_MAGIC)
    text = _squash(pdf_text(data))
    assert "工会法律援助案件结案报告" in text
    assert legal_case.case.number in text and assignment.number in text
    assert "调解/和解结案" in text
    assert "75,000.50元" in text and "80,000.00元" in text
    assert "惠及6人" in text
    assert "西城区劳动争议调解中心" in text and "达成调解协议" in text
    assert "经调解，用人单位同意分两期支付拖欠工资。" in text
    assert "律师很负责" in text


@pytest.mark.django_db
def test_markup_in_user_text_is_printed_not_interpreted_and_long_text_runs_onto_more_pages(tree):
    facts = "<b>拖欠</b> & 未付 " + "用人单位以资金周转困难为由拖欠工资。" * 220
    legal_case = make_legal_case(tree.g2, facts=facts, applicant_name="王<小>明")
    data = documents.application_pdf(legal_case)
    pages = pdf_pages_png(data)
    assert len(pages) >= 2
    text = pdf_text(data)
    assert "<b>拖欠</b>" in _squash(text) and "王<小>明" in text
    # The case number is at the foot of every page.
    assert text.count(legal_case.case.number) >= len(pages)


# ----- who may download -----

def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _partner(username):
    return StaffFactory(username=username, kind=User.Kind.PARTNER)


@pytest.mark.django_db
def test_staff_of_the_case_download_all_three_and_others_get_404(tree, staff):
    legal_case, _ = _closed_case(tree)
    for name in ("legal:application_pdf", "legal:letter_pdf", "legal:closing_pdf"):
        url = reverse(name, kwargs={"pk": legal_case.pk})
        response = _client(staff.d2_manager).get(url)
        assert response.status_code == 200, name
        assert response["Content-Type"] == "application/pdf"
        assert legal_case.case.number in _squash(pdf_text(response.content))
        assert _client(staff.d1_admin).get(url).status_code == 404
        assert _client(staff.g1_viewer).get(url).status_code == 404
    response = _client(staff.d2_manager).get(reverse("legal:application_pdf", kwargs={"pk": legal_case.pk}),
                                             {"download": "1"})
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.django_db
def test_the_applicant_gets_the_application_and_closing_report_but_not_the_letter(tree):
    user = WorkerUserFactory()
    legal_case = make_legal_case(tree.g2, state="in_progress", user=user)
    assign(legal_case)
    client = _client(user)
    assert client.get(reverse("legal:application_pdf", kwargs={"pk": legal_case.pk})).status_code == 200
    assert client.get(reverse("legal:letter_pdf", kwargs={"pk": legal_case.pk})).status_code == 404
    # No closing report before the case is closed.
    assert client.get(reverse("legal:closing_pdf", kwargs={"pk": legal_case.pk})).status_code == 404
    set_state(legal_case, "closed")
    assert client.get(reverse("legal:closing_pdf", kwargs={"pk": legal_case.pk})).status_code == 200
    # Another worker: nothing.
    other = _client(WorkerUserFactory())
    for name in ("legal:application_pdf", "legal:letter_pdf", "legal:closing_pdf"):
        assert other.get(reverse(name, kwargs={"pk": legal_case.pk})).status_code == 404


@pytest.mark.django_db
def test_only_the_assigned_lawyer_gets_the_letter(tree):
    legal_case = make_legal_case(tree.g2, state="in_progress")
    lawyer_user = _partner("lawyer_a")
    assignment = assign(legal_case, make_lawyer(legal_case, user=lawyer_user))
    url = reverse("legal:letter_pdf", kwargs={"pk": legal_case.pk})
    response = _client(lawyer_user).get(url)
    assert response.status_code == 200
    assert assignment.number in _squash(pdf_text(response.content))
    assert _client(lawyer_user).get(reverse("legal:application_pdf", kwargs={"pk": legal_case.pk})).status_code == 200
    # A lawyer on the roster without this case: 404, as for a case that does not exist.
    stranger = _partner("lawyer_b")
    make_lawyer(legal_case, user=stranger, name="钱律师", firm_name="")
    assert _client(stranger).get(url).status_code == 404
    assert _client(stranger).get(reverse("legal:letter_pdf", kwargs={"pk": 999999})).status_code == 404
    # Once the assignment ends, the former lawyer loses the letter too.
    assignment.active = False
    assignment.save()
    assert _client(lawyer_user).get(url).status_code == 404


@pytest.mark.django_db
def test_no_letter_before_assignment_and_anonymous_is_sent_to_sign_in(tree, staff):
    legal_case = make_legal_case(tree.g2, state="approved")
    assert _client(staff.d2_manager).get(reverse("legal:letter_pdf", kwargs={"pk": legal_case.pk})).status_code == 404
    response = Client().get(reverse("legal:application_pdf", kwargs={"pk": legal_case.pk}))
    assert response.status_code in (302, 404)
    assert response.status_code == 404 or "login" in response["Location"]


def test_money_and_file_names():
    assert documents.money(Decimal("1234.5")) == "1,234.50 元"
    assert documents.money(None) == ""
    assert documents.filename("application", "FY2026-0001") == "application-FY2026-0001.pdf"
    assert documents.filename("letter", "江工") == "letter-case.pdf"
