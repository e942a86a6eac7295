from django.test import Client

from gonghui.workflow import services
from gonghui.workflow.tests.test_attachments import PNG


def login(user):
    client = Client()
    client.force_login(user)
    return client


def test_transitions_listed_and_taken_over_the_api(make_case, staff):
    case = make_case()
    client = login(staff.g1_handler)
    listed = client.get(f"/api/v1/cases/{case.pk}/transitions").json()
    assert [t["name"] for t in listed] == ["accept", "transfer"]
    assert listed[1]["fields"][0] == {"name": "node", "label": "转给", "kind": "node", "required": True,
                                      "choices": []}
    response = client.post(f"/api/v1/cases/{case.pk}/transitions/accept", {"version": 1},
                           content_type="application/json")
    assert response.status_code == 200
    assert response.json()["state"] == "handling" and response.json()["version"] == 2
    stale = client.post(f"/api/v1/cases/{case.pk}/transitions/accept", {"version": 1},
                        content_type="application/json")
    assert stale.status_code == 409
    assert stale.json() == {"code": "stale", "message": "该事项在您打开页面后已有变化，当前状态为“办理中”，请刷新后再操作。"}


def test_a_step_the_caller_may_not_take_is_403_json(make_case, staff):
    case = make_case()
    response = login(staff.g1_viewer).post(f"/api/v1/cases/{case.pk}/transitions/accept", {"version": 1},
                                           content_type="application/json")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_bad_transition_input_is_422_with_the_field(make_case, staff):
    case = services.perform_transition(make_case(), "accept", by=staff.g1_handler, version=1)
    response = login(staff.g1_handler).post(f"/api/v1/cases/{case.pk}/transitions/close",
                                            {"version": 2, "data": {}}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["fields"] == {"note": ["请填写办理结果。"]}


def test_the_worker_reads_their_case_in_plain_words(make_case, staff, applicant):
    case = make_case()
    services.add_comment(case, "内部", by=staff.g1_handler, internal=True)
    body = login(applicant).get(f"/api/v1/cases/{case.pk}").json()
    assert body["state_label"] == "已提交"
    assert [e["kind"] for e in body["timeline"]] == ["opened"]
    staff_body = login(staff.g1_handler).get(f"/api/v1/cases/{case.pk}").json()
    assert staff_body["state_label"] == "待受理" and len(staff_body["timeline"]) == 2


def test_comments_and_attachments_over_the_api(make_case, applicant, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    case = make_case()
    client = login(applicant)
    created = client.post(f"/api/v1/cases/{case.pk}/comments", {"text": "工资条已上传"},
                          content_type="application/json")
    assert created.status_code == 201 and created.json()["text"] == "工资条已上传"
    assert [c["text"] for c in client.get(f"/api/v1/cases/{case.pk}/comments").json()] == ["工资条已上传"]
    uploaded = client.post(f"/api/v1/cases/{case.pk}/attachments",
                           {"file": SimpleUploadedFile("工资条.png", PNG, content_type="image/png")})
    assert uploaded.status_code == 201 and uploaded.json()["content_type"] == "image/png"
    refused = client.post(f"/api/v1/cases/{case.pk}/attachments",
                          {"file": SimpleUploadedFile("a.exe", b"MZ" + b"\0" * 64)})
    assert refused.status_code == 422 and refused.json()["message"] == "不能上传可执行文件。"
    assert len(client.get(f"/api/v1/cases/{case.pk}/attachments").json()) == 1


def test_other_districts_cases_are_404_over_the_api(make_case, staff):
    case = make_case()
    response = login(staff.d2_manager).get(f"/api/v1/cases/{case.pk}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
