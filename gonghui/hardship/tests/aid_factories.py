"""Helpers of the aid part's tests: funds, aid payments, plans and pairings on H1's files."""

import datetime
from decimal import Decimal

from django.utils import timezone

from gonghui.hardship import services_aid as aid
from gonghui.hardship.models import AidPayment, Fund, Pairing
from gonghui.hardship.tests.factories import HardshipFileFactory


def make_fund(union, *, budget="100000", source=Fund.Source.UNION_FUNDS, year=None, spent="0", name="") -> Fund:
    return Fund.objects.create(union=union, node_path=union.path, year=year or timezone.localdate().year,
                               source=source, budget=Decimal(budget), spent=Decimal(spent), name=name)


def make_file(union, **kwargs):
    return HardshipFileFactory(union=union, **kwargs)


def make_payment(file=None, *, union=None, fund=None, kind="living", amount="1000", status=None, **kwargs
                 ) -> AidPayment:
    """A pending aid request (made by the system, so no permission check); ``status`` forces another."""
    file = file or make_file(union)
    fund = fund or (Fund.objects.unscoped().filter(union=file.union, year=timezone.localdate().year).first()
                    or make_fund(file.union))
    payment = aid.request_aid(file, fund=fund, kind=kind, amount=amount, reason=kwargs.pop("reason", "大病住院"),
                              by=None)
    if status is not None:
        AidPayment.objects.unscoped().filter(pk=payment.pk).update(status=status)
        payment.refresh_from_db()
    return payment


def make_pairing(file=None, *, union=None, started_on=None, last_contact_on=None, **kwargs) -> Pairing:
    file = file or make_file(union)
    pairing = aid.start_pairing(file, helper_kind=kwargs.pop("helper_kind", "cadre"),
                                helper_name=kwargs.pop("helper_name", "李卫东"),
                                helper_contact=kwargs.pop("helper_contact", "13800000001"),
                                started_on=started_on or timezone.localdate() - datetime.timedelta(days=10),
                                by=None, **kwargs)
    if last_contact_on is not None:
        aid.log_contact(pairing, contacted_on=last_contact_on, way="visit", help_given="上门看望", by=None)
        pairing.refresh_from_db()
    return pairing
