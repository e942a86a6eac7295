"""The cases part's demo: the roster, lawyer1 with assigned cases, cases at every stage, closed
ones with outcomes, recoveries and ledger rows — and lawyer1 sees only their own."""

import time
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from gonghui.accounts.models import User
from gonghui.demo.management.commands.seed_demo import DEMO_PASSWORD
from gonghui.ledger.models import ServiceRecord
from gonghui.legal import access
from gonghui.legal.models import Assignment, ClosingReport, LawFirm, Lawyer, LegalCase, Recovery, Stage
from gonghui.legal.services_cases import KIND_RECOVERED


@pytest.fixture
def seeded(db):
    call_command("seed_demo", "--members", "600", stdout=StringIO())


def test_demo_roster_stages_outcomes_and_recoveries(seeded):
    assert LawFirm.objects.unscoped().count() == 3
    assert Lawyer.objects.unscoped().count() == 8
    assert Lawyer.objects.unscoped().exclude(conflict_usccs=[]).exists()
    working = LegalCase.objects.unscoped().filter(case__state__in=("in_progress", "closed"))
    assert working.exists() and not working.filter(lawyer__isnull=True).exists()
    assert Assignment.objects.unscoped().filter(active=True).count() == working.count()
    current = set(LegalCase.objects.unscoped().filter(case__state="in_progress").values_list("stage", flat=True))
    assert current == {"mediation", "arbitration", "first_instance", "second_instance", "enforcement"}
    closed = LegalCase.objects.unscoped().filter(case__state="closed")
    assert not closed.filter(outcome="").exists() and not closed.filter(closed_on__isnull=True).exists()
    assert {"settled", "award", "judgment"} <= set(closed.values_list("outcome", flat=True))
    assert closed.filter(rating__isnull=False).exists()
    for legal_case in closed:
        assert ClosingReport.objects.unscoped().filter(legal_case=legal_case, final_document__isnull=False).exists()
        assert legal_case.amount_recovered <= legal_case.amount_claimed
        assert legal_case.amount_awarded <= legal_case.amount_claimed
    recovered = Recovery.objects.unscoped().filter(worker__isnull=False)
    assert recovered.exists()
    assert ServiceRecord.objects.unscoped().filter(kind=KIND_RECOVERED).count() == recovered.count()
    assert Stage.objects.unscoped().filter(ended_on__isnull=True, legal_case__case__state="closed").count() == 0


def test_lawyer1_signs_in_and_sees_only_their_cases(seeded):
    lawyer1 = User.objects.get(username="lawyer1")
    assert lawyer1.kind == User.Kind.PARTNER and lawyer1.check_password(DEMO_PASSWORD)
    mine = set(access.cases_for(lawyer1).values_list("pk", flat=True))
    assert mine and LegalCase.objects.unscoped().filter(case__state="in_progress", pk__in=mine).exists()
    assert LegalCase.objects.unscoped().filter(case__state="closed", pk__in=mine).exists()
    client = Client()
    client.force_login(lawyer1)
    listing = client.get(reverse("legal:my_cases") + "?state=all").content.decode()
    others = LegalCase.objects.unscoped().filter(lawyer__isnull=False).exclude(pk__in=mine).select_related("case")
    for legal_case in LegalCase.objects.unscoped().filter(pk__in=mine).select_related("case"):
        assert legal_case.case.number in listing
        assert client.get(reverse("legal:case", args=[legal_case.pk])).status_code == 200
    other = others.first()
    assert other.case.number not in listing
    assert client.get(reverse("legal:case", args=[other.pk])).status_code == 404
    api = client.get("/api/v1/legal/cases/?limit=100").json()
    assert {row["id"] for row in api["items"]} == mine


def test_the_cases_demo_is_quick(db):
    from gonghui.legal import demo_cases

    real, took = demo_cases.seed, []

    def timed(rng):
        started = time.monotonic()
        counts = real(rng)
        took.append(time.monotonic() - started)
        return counts

    with mock.patch.object(demo_cases, "seed", side_effect=timed):
        call_command("seed_demo", "--members", "300", stdout=StringIO())
    assert took and took[0] < 3.0, took
    assert Assignment.objects.unscoped().exists()
