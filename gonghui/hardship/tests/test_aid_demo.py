"""The aid part's demo data: funds, aid of every kind, a large aid the city approves, plans, pairings."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum

from gonghui.accounts.models import User
from gonghui.hardship import services_aid as aid
from gonghui.hardship.models import AidPayment, AssistancePlan, Fund, Pairing
from gonghui.ledger.models import ServiceRecord
from gonghui.orgs.models import UnionNode


@pytest.mark.django_db
def test_the_demo_has_funds_aid_plans_and_pairings_and_the_city_approves_the_large_aid():
    call_command("seed_demo", "--members", "50", stdout=StringIO())
    districts = UnionNode.objects.unscoped().filter(kind=UnionNode.Kind.DISTRICT_FEDERATION)
    city = UnionNode.objects.unscoped().get(kind=UnionNode.Kind.CITY_FEDERATION)
    assert Fund.objects.unscoped().filter(union=city).count() == 2
    assert all(Fund.objects.unscoped().filter(union=d).exists() for d in districts)
    payments = AidPayment.objects.unscoped()
    assert set(payments.values_list("kind", flat=True)) == {"living", "medical", "education", "other"}
    assert {"paid", "pending", "rejected", "awaiting_city"} <= set(payments.values_list("status", flat=True))
    for fund in Fund.objects.unscoped():  # every fund's total is its paid payments, never above budget
        paid = payments.filter(fund=fund, status="paid").aggregate(s=Sum("amount"))["s"] or 0
        assert fund.spent == paid and fund.remaining >= 0
    assert ServiceRecord.objects.unscoped().filter(kind="hardship.aid_paid").count() == payments.filter(
        status="paid").count()
    assert AssistancePlan.objects.unscoped().exists()
    assert sum(p.overdue for p in Pairing.objects.unscoped()) == districts.count()

    large = payments.get(status="awaiting_city")
    assert large.needs_city and large.reviewed_by.username == "district1_staff"
    paid = aid.approve_aid(large, by=User.objects.get(username="city_hardship"))
    assert paid.status == "paid"
