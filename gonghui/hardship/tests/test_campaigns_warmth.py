"""送温暖: campaigns, the visit list from the registry, visits, coverage and spending."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from gonghui.audit.models import AuditEntry
from gonghui.hardship import services_campaigns as svc
from gonghui.hardship.models import HardshipFile, WarmthTarget, WarmthVisit
from gonghui.hardship.tests.campaigns_helpers import (
    PDF,
    PNG,
    make_campaign,
    member_parent,
    registered_parent,
    today,
)
from gonghui.ledger.models import ServiceRecord
from gonghui.workflow.services import Upload


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


def visit_data(**over):
    data = {"visited_on": today().isoformat(), "visitors": "张主席、李干事", "kind": "cash", "value": "800",
            "goods": "", "note": "家中老人身体好转"}
    data.update(over)
    return data


@pytest.fixture
def households(tree):
    deep, _f = registered_parent(tree.g1, name="深一")
    rel, _f = registered_parent(tree.g1, name="相二", category=HardshipFile.Category.RELATIVE)
    acc, _f = registered_parent(tree.g1, name="意三", category=HardshipFile.Category.ACCIDENT)
    draft, _f = registered_parent(tree.g1, name="草四", status=HardshipFile.Status.APPLYING)
    far, _f = registered_parent(tree.g2, name="西五")
    return {"deep": deep, "relative": rel, "accident": acc, "applying": draft, "d2": far}


def test_the_list_follows_the_rule_and_is_idempotent(tree, staff, households):
    campaign = make_campaign(tree.d1)
    assert svc.generate_targets(campaign, by=staff.d1_manager) == 2
    names = set(WarmthTarget.objects.unscoped().filter(campaign=campaign).values_list("worker__name", flat=True))
    assert names == {"深一", "相二"}  # deep and relative, registered, in 东城区 only
    assert svc.generate_targets(campaign, by=staff.d1_manager) == 0
    assert WarmthTarget.objects.unscoped().filter(campaign=campaign).count() == 2
    # A household registered later is added by the next run.
    registered_parent(tree.g1, name="新六")
    assert svc.generate_targets(campaign, by=staff.d1_manager) == 1
    city = make_campaign(tree.city, categories=["accident"])
    assert svc.generate_targets(city, by=staff.city_admin) == 1
    with pytest.raises(PermissionDenied):
        svc.generate_targets(campaign, by=staff.d2_manager)


def test_a_visit_is_recorded_with_photo_and_ledger_row(tree, staff, households):
    campaign = make_campaign(tree.d1)
    svc.generate_targets(campaign, by=staff.d1_manager)
    target = WarmthTarget.objects.unscoped().get(campaign=campaign, worker=households["deep"])
    visit = svc.record_visit(target, visit_data(), by=staff.g1_handler, photo=Upload("现场.png", PNG))
    assert visit.photo and visit.photo_type == "image/png" and visit.value == Decimal("800.00")
    row = ServiceRecord.objects.unscoped().get(worker=households["deep"])
    assert (row.kind, row.amount, row.delivering_union) == ("hardship.send_warmth", Decimal("800.00"), tree.g1)
    assert AuditEntry.objects.unscoped().filter(event="hardship.warmth.visited").count() == 1
    with pytest.raises(ValidationError) as e:
        svc.record_visit(target, visit_data(), by=staff.g1_handler)
    assert e.value.messages == ["该户已登记过走访。"]
    figures = svc.campaign_figures(campaign, staff.d1_manager)
    assert (figures["listed"], figures["visited"], figures["coverage"]) == (2, 1, 50.0)
    assert figures["spent"] == Decimal("800.00") and figures["remaining"] == Decimal("9200.00")


def test_bad_visits_are_refused_with_nothing_written(tree, staff, households):
    campaign = make_campaign(tree.d1, budget=Decimal("1000"))
    svc.generate_targets(campaign, by=staff.d1_manager)
    t1, t2 = WarmthTarget.objects.unscoped().filter(campaign=campaign).order_by("pk")
    with pytest.raises(ValidationError) as e:
        svc.record_visit(t1, visit_data(), by=staff.g1_handler, photo=Upload("现场.jpg", PDF))
    assert "文件内容与扩展名" in e.value.message_dict["photo"][0]
    with pytest.raises(ValidationError) as e:
        svc.record_visit(t1, visit_data(), by=staff.g1_handler, photo=Upload("现场.pdf", PDF))
    assert e.value.message_dict["photo"] == ["现场照片只能是图片（jpg、png、gif、webp、heic）。"]
    tomorrow = (today() + datetime.timedelta(days=1)).isoformat()
    with pytest.raises(ValidationError) as e:
        svc.record_visit(t1, visit_data(visited_on=tomorrow, value="-5", kind="goods", visitors=""),
                         by=staff.g1_handler)
    assert set(e.value.message_dict) == {"visited_on", "value", "goods", "visitors"}
    assert e.value.message_dict["value"] == ["金额或物品价值应大于0。"]
    svc.record_visit(t1, visit_data(value="600"), by=staff.g1_handler)
    with pytest.raises(ValidationError) as e:
        svc.record_visit(t2, visit_data(value="500"), by=staff.g1_handler)
    assert e.value.message_dict["value"] == ["超出活动预算：预算¥1,000.00，已支出¥600.00，本次¥500.00。"]
    assert WarmthVisit.objects.unscoped().count() == 1
    assert ServiceRecord.objects.unscoped().count() == 1
    with pytest.raises(PermissionDenied):
        svc.record_visit(t2, visit_data(value="100"), by=staff.d2_manager)


def test_model_and_frontline_workers_join_only_when_the_rule_says(tree, staff):
    campaign = make_campaign(tree.d1, include_model_workers=True)
    hero = member_parent(tree.g1, name="劳模张")
    target = svc.add_target(campaign, hero, "model_worker", by=staff.g1_handler)
    assert target.union == tree.g1 and target.file is None
    with pytest.raises(ValidationError) as e:
        svc.add_target(campaign, hero, "model_worker", by=staff.g1_handler)
    assert e.value.message_dict["worker"] == ["该职工已在走访名单中。"]
    with pytest.raises(ValidationError) as e:
        svc.add_target(campaign, member_parent(tree.g1, name="一线李"), "frontline", by=staff.g1_handler)
    assert e.value.message_dict["group"] == ["本活动的走访范围不包括这类职工。"]
    with pytest.raises(ValidationError) as e:
        svc.add_target(campaign, member_parent(tree.g2, name="西城王"), "model_worker", by=staff.city_admin)
    assert "本活动范围内" in e.value.message_dict["worker"][0]


def test_create_campaign_rules(tree, staff):
    data = {"name": "2027年春节送温暖", "starts_on": "2027-01-10", "ends_on": "2027-02-10", "budget": "50000",
            "standard_amount": "800", "categories": ["deep", "relative"], "include_model_workers": "on"}
    campaign = svc.create_campaign(tree.d1, data, by=staff.d1_manager)
    assert campaign.categories == ["deep", "relative"] and campaign.include_model_workers
    with pytest.raises(ValidationError) as e:
        svc.create_campaign(tree.d1, data | {"categories": [], "ends_on": "2026-12-01", "budget": "abc"},
                            by=staff.d1_manager)
    assert set(e.value.message_dict) == {"categories", "ends_on", "budget"}
    assert e.value.message_dict["budget"] == ["预算应为数字，例如1200或1200.50。"]
    with pytest.raises(PermissionDenied):
        svc.create_campaign(tree.d2, data, by=staff.d1_manager)
    with pytest.raises(PermissionDenied):
        svc.create_campaign(tree.g1, data, by=staff.g1_handler)  # a handler does not set budgets
    assert set(svc.campaigns_visible_to(staff.g1_handler)) == {campaign}
    assert set(svc.campaigns_visible_to(staff.d2_manager)) == set()
