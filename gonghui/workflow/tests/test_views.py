import datetime

from django.test import Client
from django.urls import reverse

from gonghui.workflow import services
from gonghui.workflow.models import Case, HolidayOverride
from gonghui.workflow.tests.test_attachments import PNG


def login(user):
    client = Client()
    client.force_login(user)
    return client


def test_case_page_shows_state_actions_and_timeline(make_case, staff):
    case = make_case()
    services.add_comment(case, "内部：先核实", by=staff.g1_handler, internal=True)
    html = login(staff.g1_handler).get(reverse("workflow:case", args=[case.pk])).content.decode()
    assert case.number in html and "待受理" in html
    assert reverse("workflow:transition", args=[case.pk, "accept"]) in html
    assert "内部：先核实" in html
    # A viewer sees the case but no buttons.
    html = login(staff.g1_viewer).get(reverse("workflow:case", args=[case.pk])).content.decode()
    assert reverse("workflow:transition", args=[case.pk, "accept"]) not in html


def test_taking_a_step_from_the_page(make_case, staff):
    case = make_case()
    response = login(staff.g1_handler).post(reverse("workflow:transition", args=[case.pk, "accept"]),
                                            {"accept-version": 1})
    assert response.status_code == 302 and response["Location"] == reverse("workflow:case", args=[case.pk])
    assert Case.objects.unscoped().get(pk=case.pk).state == "handling"


def test_a_stale_page_is_refused_and_shows_the_new_state(make_case, staff):
    case = make_case()
    services.perform_transition(case, "accept", by=staff.g1_handler, version=1)
    response = login(staff.d1_manager).post(reverse("workflow:transition", args=[case.pk, "transfer"]),
                                            {"transfer-version": 1, "transfer-node": case.node.parent_id,
                                             "transfer-note": "转区里"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "该事项在您打开页面后已有变化，当前状态为“办理中”，请刷新后再操作。" in html
    assert Case.objects.unscoped().get(pk=case.pk).node_id == case.node_id


def test_missing_required_field_is_shown_next_to_it(make_case, staff):
    case = services.perform_transition(make_case(), "accept", by=staff.g1_handler, version=1)
    response = login(staff.g1_handler).post(reverse("workflow:transition", args=[case.pk, "close"]),
                                            {"close-version": 2, "close-note": ""})
    assert response.status_code == 422
    assert "请填写办理结果。" in response.content.decode()


def test_a_step_the_role_may_not_take_is_403(make_case, staff):
    case = make_case()
    response = login(staff.g1_viewer).post(reverse("workflow:transition", args=[case.pk, "accept"]),
                                           {"accept-version": 1})
    assert response.status_code == 403
    assert Case.objects.unscoped().get(pk=case.pk).state == "submitted"


def test_the_worker_sees_plain_words_and_no_internal_steps(make_case, staff, applicant):
    case = make_case()
    services.add_comment(case, "内部：先核实", by=staff.g1_handler, internal=True)
    services.add_comment(case, "请补充工资条", by=staff.g1_handler, internal=False)
    response = login(applicant).get(reverse("workflow:portal_case", args=[case.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "已提交" in html and "请补充工资条" in html and "内部：先核实" not in html
    assert reverse("workflow:transition", args=[case.pk, "withdraw"]) in html
    # Staff opening the worker's page are sent to the console page.
    response = login(staff.g1_handler).get(reverse("workflow:portal_case", args=[case.pk]))
    assert response.status_code == 302


def test_worker_uploads_a_photo_and_a_fake_one_is_refused(make_case, applicant, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    case = make_case()
    client = login(applicant)
    ok = client.post(reverse("workflow:attach", args=[case.pk]),
                     {"file": SimpleUploadedFile("工资条.png", PNG, content_type="image/png")})
    assert ok.status_code == 302
    bad = client.post(reverse("workflow:attach", args=[case.pk]),
                      {"file": SimpleUploadedFile("工资条.png", b"not a png", content_type="image/png")})
    assert bad.status_code == 422
    assert "文件内容与扩展名“.png”不符，请上传真实的文件。" in bad.content.decode()
    attachment = case.attachments.unscoped().get()
    download = client.get(reverse("workflow:download", args=[attachment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PNG


def test_internal_files_are_hidden_from_the_worker(make_case, staff, applicant, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = make_case()
    internal = services.add_attachment(case, services.Upload("核查.png", PNG), by=staff.g1_handler, internal=True)
    assert login(applicant).get(reverse("workflow:download", args=[internal.pk])).status_code == 404
    assert login(staff.g1_handler).get(reverse("workflow:download", args=[internal.pk])).status_code == 200


def test_diagram_is_drawn_from_the_declaration(staff):
    html = login(staff.g1_viewer).get(reverse("workflow:diagram", args=["test_case"])).content.decode()
    assert "待受理" in html and "接管" in html and "diagram-data" in html
    assert login(staff.g1_viewer).get(reverse("workflow:diagram", args=["nope"])).status_code == 404


def test_only_top_admins_edit_the_holiday_calendar(staff):
    url = reverse("workflow:calendar")
    assert login(staff.d1_admin).get(url).status_code == 403  # an admin, but of a district
    client = login(staff.city_admin)
    assert client.get(url).status_code == 200
    response = client.post(url, {"day": "2027-02-08", "is_working_day": "", "note": "春节"})
    assert response.status_code == 302
    override = HolidayOverride.objects.get(day=datetime.date(2027, 2, 8))
    assert override.is_working_day is False
    assert login(staff.d1_admin).post(reverse("workflow:delete_override", args=[override.pk])).status_code == 403
    assert client.post(reverse("workflow:delete_override", args=[override.pk])).status_code == 302
    assert not HolidayOverride.objects.exists()
