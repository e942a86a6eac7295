"""金秋助学 and 送温暖 routes for the shared scope test: rows made inside district 2."""

import datetime

from django.utils import timezone

from gonghui.core.tests.scopecases import ScopeCase


def _round_in_d2(env):
    from gonghui.hardship.tests.campaigns_helpers import make_round

    return make_round(env.tree.d2, title="西城区专属金秋助学")


def _application_in_d2(env):
    from gonghui.hardship import services_campaigns as svc
    from gonghui.hardship.tests.campaigns_helpers import application_data, letter, registered_parent

    _round_in_d2(env)
    worker, _file = registered_parent(env.tree.g2, name="西城家长")
    return svc.apply(by=worker.user, worker=worker, data=application_data(child_name="西城学生"), letter=letter())


def _approvable_in_d2(env):
    """An application under notice whose notice period has run (the batch may approve it)."""
    from gonghui.hardship.models import GoldenAutumnApplication
    from gonghui.workflow import services as workflow

    app = _application_in_d2(env)
    workflow.perform_transition(app.case, "verify", by=env.staff.d2_manager, version=app.case.version)
    GoldenAutumnApplication.objects.unscoped().filter(pk=app.pk).update(
        notice_ends_at=timezone.now() - datetime.timedelta(minutes=1))
    app.refresh_from_db()
    return app


def _file_in_d2(env):
    from gonghui.hardship.tests.campaigns_helpers import registered_parent

    _round_in_d2(env)
    _worker, file = registered_parent(env.tree.g2, name="西城代办户")
    return file


def _apply_form(obj):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from gonghui.hardship.tests.campaigns_helpers import PNG, application_data

    return application_data(child_name="西城代办学生") | {
        "letter": SimpleUploadedFile("通知书.png", PNG, content_type="image/png")}


def _campaign_in_d2(env):
    from gonghui.hardship.tests.campaigns_helpers import make_campaign

    return make_campaign(env.tree.d2, name="西城区专属送温暖", include_model_workers=True)


def _target_in_d2(env):
    from gonghui.hardship.models import WarmthTarget
    from gonghui.hardship.tests.campaigns_helpers import registered_parent

    campaign = _campaign_in_d2(env)
    worker, file = registered_parent(env.tree.g2, name="西城困难户")
    return WarmthTarget.objects.create(campaign=campaign, worker=worker, file=file, union=env.tree.g2,
                                       group="deep")


def _visit_in_d2(env):
    from gonghui.hardship import services_campaigns as svc
    from gonghui.hardship.tests.campaigns_helpers import PNG
    from gonghui.workflow.services import Upload

    target = _target_in_d2(env)
    return svc.record_visit(target, _visit_form(target), by=env.staff.d2_admin, photo=Upload("现场.png", PNG))


def _visit_form(obj):
    return {"visited_on": timezone.localdate().isoformat(), "visitors": "走访组", "kind": "cash", "value": "500"}


def _member_in_d2(env):
    from gonghui.hardship.tests.campaigns_helpers import member_parent

    campaign = _campaign_in_d2(env)
    campaign.model_worker = member_parent(env.tree.g2, name="西城劳模")
    return campaign


CASES = [
    ScopeCase("hardship:golden_autumn", _round_in_d2, kind="list", kwargs=lambda obj: {},
              marker=lambda obj: obj.title),
    ScopeCase("hardship:golden_round", _round_in_d2),
    ScopeCase("hardship:golden_payment_list", _round_in_d2),
    ScopeCase("hardship:golden_apply_for", _file_in_d2, kind="create", kwargs=lambda obj: {"file_pk": obj.pk},
              data=_apply_form),
    ScopeCase("hardship:golden_batch", _approvable_in_d2, kind="change", kwargs=lambda obj: {"pk": obj.round_id},
              data=lambda obj: {"ids": [obj.pk], "action": "approve", "state": "notice"}),
    ScopeCase("hardship:warmth", _campaign_in_d2, kind="list", kwargs=lambda obj: {}, marker=lambda obj: obj.name),
    ScopeCase("hardship:warmth_campaign", _campaign_in_d2),
    ScopeCase("hardship:warmth_generate", _campaign_in_d2, kind="change"),
    ScopeCase("hardship:warmth_add_target", _member_in_d2, kind="create",
              data=lambda obj: {"id_number": obj.model_worker.full_id_number(), "group": "model_worker"}),
    ScopeCase("hardship:warmth_visit", _target_in_d2, kind="create", data=_visit_form),
    ScopeCase("hardship:warmth_photo", _visit_in_d2),
    ScopeCase("GET /api/v1/hardship/golden-autumn/rounds", _round_in_d2, kind="list", kwargs=lambda obj: {},
              marker=lambda obj: obj.title),
    ScopeCase("GET /api/v1/hardship/golden-autumn/rounds/{int:round_id}", _round_in_d2,
              kwargs=lambda obj: {"round_id": obj.pk}),
    ScopeCase("GET /api/v1/hardship/golden-autumn/applications", _application_in_d2, kind="list",
              kwargs=lambda obj: {}, marker=lambda obj: obj.child_name),
    ScopeCase("GET /api/v1/hardship/golden-autumn/applications/{int:application_id}", _application_in_d2,
              kwargs=lambda obj: {"application_id": obj.pk}),
    ScopeCase("POST /api/v1/hardship/golden-autumn/rounds/{int:round_id}/batch", _approvable_in_d2, kind="change",
              kwargs=lambda obj: {"round_id": obj.round_id}, data=lambda obj: {"ids": [obj.pk], "action": "approve"}),
    ScopeCase("GET /api/v1/hardship/warmth/campaigns", _campaign_in_d2, kind="list", kwargs=lambda obj: {},
              marker=lambda obj: obj.name),
    ScopeCase("GET /api/v1/hardship/warmth/campaigns/{int:campaign_id}", _campaign_in_d2,
              kwargs=lambda obj: {"campaign_id": obj.pk}),
    ScopeCase("POST /api/v1/hardship/warmth/campaigns/{int:campaign_id}/generate", _campaign_in_d2, kind="change",
              kwargs=lambda obj: {"campaign_id": obj.pk}),
    ScopeCase("GET /api/v1/hardship/warmth/campaigns/{int:campaign_id}/targets", _target_in_d2,
              kwargs=lambda obj: {"campaign_id": obj.campaign_id}),
    ScopeCase("POST /api/v1/hardship/warmth/targets/{int:target_id}/visit", _target_in_d2, kind="create",
              kwargs=lambda obj: {"target_id": obj.pk}, data=_visit_form, multipart=True),
]

EXEMPT = {
    "hardship:golden_portal": "the worker's own page: their own applications (by account) and the public notice of "
                              "their union's round, names masked; no staff rows (tested in test_campaigns_views)",
    "hardship:golden_apply": "the worker applies for their own child; the case is opened at their own union "
                             "(tested in test_campaigns_views)",
    "hardship:golden_round_create": "creates a round only at a federation chosen from the caller's own "
                                    "hardship.approve scope (the form lists no other, the service refuses one); "
                                    "reads no rows (tested in test_campaigns_views)",
    "hardship:warmth_create": "creates a campaign only at a union in the caller's own hardship.approve scope; "
                              "reads no rows (tested in test_campaigns_views)",
    "POST /api/v1/hardship/golden-autumn/rounds": "creates a round only at a federation in the caller's own "
                                                  "hardship.approve scope; the service refuses others (403, tested "
                                                  "in test_campaigns_api)",
    "POST /api/v1/hardship/golden-autumn/applications": "the worker applies for their own child (or staff for a "
                                                        "worker of their own union: 403 otherwise, tested in "
                                                        "test_campaigns_api)",
    "POST /api/v1/hardship/warmth/campaigns": "creates a campaign only at a union in the caller's own "
                                              "hardship.approve scope (403 otherwise, tested in test_campaigns_api)",
    "GET /api/v1/hardship/golden-autumn/mine": "the worker's own applications, by account; no staff rows",
}
