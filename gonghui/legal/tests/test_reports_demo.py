"""The reports on the demo data: legal_centre's board, figures and export; the three PDFs for the
centre, lawyer1 and the applicant; the console entries."""

import pytest
from django.test import Client
from django.urls import reverse

from gonghui.accounts.models import User
from gonghui.core.tests.pdftools import pdf_text
from gonghui.legal.models import LegalCase
from gonghui.legal.tests.test_intake_demo import seed_demo


@pytest.fixture
def seeded(db):
    seed_demo(600)


def _client(username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_reports_on_the_demo(seeded):
    centre = _client("legal_centre")
    board = centre.get(reverse("legal:arrears"))
    assert board.status_code == 200
    open_wages = LegalCase.objects.unscoped().filter(matter="wages", closed_on__isnull=True, case__is_open=True)
    assert open_wages.exists(), "the demo has open wage-arrears cases"
    body = board.content.decode()
    assert open_wages.first().case.number in body or "下一页" in body
    assert "欠薪案件" in body and "援助统计" in body  # the console entries
    figures = centre.get(reverse("legal:figures"))
    assert figures.status_code == 200 and "法律援助统计" in figures.content.decode()
    assert centre.get(reverse("legal:figures_export")).status_code == 200

    closed = LegalCase.objects.unscoped().filter(case__state="closed", lawyer__isnull=False).first()
    assert closed is not None, "the demo has closed cases with a lawyer"
    for name in ("legal:application_pdf", "legal:letter_pdf", "legal:closing_pdf"):
        response = centre.get(reverse(name, kwargs={"pk": closed.pk}))
        assert response.status_code == 200, name
        assert closed.case.number in "".join(pdf_text(response.content).split())

    lawyer = User.objects.get(username="lawyer1")
    mine = LegalCase.objects.unscoped().filter(assignments__lawyer__user=lawyer, assignments__active=True).first()
    assert mine is not None
    lawyer_client = _client("lawyer1")
    assert lawyer_client.get(reverse("legal:letter_pdf", kwargs={"pk": mine.pk})).status_code == 200
    other = LegalCase.objects.unscoped().exclude(assignments__lawyer__user=lawyer).first()
    assert lawyer_client.get(reverse("legal:application_pdf", kwargs={"pk": other.pk})).status_code == 404
    assert lawyer_client.get(reverse("legal:arrears")).status_code == 403
