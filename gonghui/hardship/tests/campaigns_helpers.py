"""Helpers of the campaigns part's tests (金秋助学, 送温暖)."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from gonghui.accounts.tests.factories import WorkerUserFactory
from gonghui.demo.idnumbers import fake_id_number
from gonghui.hardship.models import GoldenAutumnRound, SendWarmthCampaign
from gonghui.hardship.tests.factories import HardshipFileFactory
from gonghui.members.models import Membership
from gonghui.members.tests.factories import WorkerFactory
from gonghui.workflow.services import Upload

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_rng = random.Random(20260901)


def today():
    return timezone.localdate()


def child_id() -> str:
    return fake_id_number(_rng, born_from=2006, born_to=2009)


def letter(name="录取通知书.png", content=PNG) -> Upload:
    return Upload(name, content)


def make_round(node, *, year=None, days_open=(-10, 20), budget="100000", title="") -> GoldenAutumnRound:
    year = year or today().year
    opens = today() + datetime.timedelta(days=days_open[0])
    closes = today() + datetime.timedelta(days=days_open[1])
    return GoldenAutumnRound.objects.create(node=node, year=year, title=title or f"{year}年金秋助学",
                                            opens_on=opens, closes_on=closes, budget=Decimal(budget))


def registered_parent(union, **kwargs):
    """A worker with an account and a registered (deep) hardship file in ``union``."""
    user = WorkerUserFactory()
    worker = WorkerFactory(user=user, name=kwargs.pop("name", "王秀英"))
    file = HardshipFileFactory(union=union, worker=worker, **kwargs)
    file.bank_name = "工商银行江海分行"
    file.set_bank_account("6222020200001234567")
    file.save()
    return worker, file


def member_parent(union, name="李建国"):
    """A member with an account and no hardship file (an "other" applicant)."""
    user = WorkerUserFactory()
    worker = WorkerFactory(user=user, name=name)
    Membership.objects.create(worker=worker, union=union, member_number=f"MC{worker.pk:08d}",
                              joined_on=datetime.date(2020, 1, 1))
    return worker


def application_data(**over) -> dict:
    data = {"child_name": "王小明", "child_id_number": child_id(), "school": "江海大学",
            "admission_year": str(today().year), "level": "college", "bank_name": "",
            "bank_account": "", "hardship_note": ""}
    data.update(over)
    return data


def make_campaign(node, **over) -> SendWarmthCampaign:
    values = {"name": "2027年春节送温暖", "starts_on": today() - datetime.timedelta(days=5),
              "ends_on": today() + datetime.timedelta(days=30), "budget": Decimal("10000"),
              "categories": ["deep", "relative"], "standard_amount": Decimal("800")}
    values.update(over)
    return SendWarmthCampaign.objects.create(node=node, **values)
