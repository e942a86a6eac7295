"""Pages of the cases part: the case page for staff and the assigned lawyer (others: 404), the
lawyer's list, assignment with the roster, stages, recoveries, documents, the closing report and
the close, the roster pages, and the applicant's rating on the portal."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gonghui.accounts.tests.factories import WorkerUserFactory
from gonghui.legal.models import Assignment, LawFirm, Lawyer, LegalDocument, Recovery, Stage
from gonghui.legal.tests.cases_factories import (
    add_final_document,
    assigned_case,
    centre_handler,
    centre_manager,
    make_lawyer,
)
from gonghui.legal.tests.factories import BAD_USCC, GOOD_USCC, PNG, make_centre, make_legal_case

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today().isoformat()


def _login(client, user):
    client.force_login(user)
    return client


def _text(response) -> str:
    return response.content.decode()


def test_the_lawyer_sees_only_their_cases(client, tree):
    mine = assigned_case(tree.g2, opponent_name="我的对方公司")
    other = assigned_case(tree.g2, opponent_name="别人的对方公司")
    _login(client, mine.lawyer.user)
    page = client.get(reverse("legal:case", args=[mine.pk]))
    assert page.status_code == 200 and mine.case.number in _text(page)
    assert reverse("legal:letter_pdf", args=[mine.pk]) in _text(page)  # the assignment letter to download
    assert client.get(reverse("legal:case", args=[other.pk])).status_code == 404
    assert client.get(reverse("legal:assign", args=[mine.pk])).status_code == 403
    listing = client.get(reverse("legal:my_cases") + "?state=all")
    assert "我的对方公司" in _text(listing) and "别人的对方公司" not in _text(listing)
    # The engine's own case page is staff-only: the lawyer has no view permission there.
    assert client.get(reverse("workflow:case", args=[mine.pk])).status_code == 404


def test_staff_of_another_district_and_workers_get_404(client, tree, staff):
    user = WorkerUserFactory()
    legal_case = assigned_case(tree.g2, user=user)
    _login(client, staff.d1_admin)
    assert client.get(reverse("legal:case", args=[legal_case.pk])).status_code == 404
    _login(client, user)
    assert client.get(reverse("legal:case", args=[legal_case.pk])).status_code == 404
    _login(client, staff.d2_admin)
    page = client.get(reverse("legal:case", args=[legal_case.pk]))
    assert page.status_code == 200 and legal_case.lawyer.name in _text(page)


def test_my_cases_explains_itself_to_staff(client, tree, staff):
    _login(client, staff.d2_admin)
    page = client.get(reverse("legal:my_cases"))
    assert page.status_code == 200 and "没有关联律师名册" in _text(page)


def test_assign_page_shows_the_roster_and_refuses_a_full_lawyer(client, tree):
    legal_case = make_legal_case(tree.g2, state="approved")
    node = legal_case.case.node
    full = make_lawyer(node, name="满额的律师", capacity=1)
    busy = make_legal_case(tree.g2, state="in_progress")
    Assignment.objects.create(legal_case=busy, lawyer=full, year=2026, seq=900, number="X〔2026〕第0900号",
                              issued_on=datetime.date.today())
    free = make_lawyer(node, name="空闲的律师", capacity=3)
    manager = centre_manager(node)
    _login(client, manager)
    url = reverse("legal:assign", args=[legal_case.pk])
    page = client.get(url)
    assert "满额的律师" in _text(page) and "已满" in _text(page) and "空闲的律师" in _text(page)
    legal_case.case.refresh_from_db()
    response = client.post(url, {"version": legal_case.case.version, "lawyer": full.pk, "note": "请尽快联系"})
    assert response.status_code == 422 and "达到同时承办上限1件" in _text(response)
    assert "请尽快联系" in _text(response)
    response = client.post(url, {"version": legal_case.case.version, "lawyer": free.pk})
    assert response.status_code == 302
    number = Assignment.objects.unscoped().get(legal_case=legal_case, active=True).number
    page = client.get(reverse("legal:case", args=[legal_case.pk]))
    assert "空闲的律师" in _text(page) and number in _text(page) and number.endswith("第0901号")


def test_a_stale_assignment_does_not_go_through(client, tree):
    legal_case = make_legal_case(tree.g2, state="approved")
    lawyer = make_lawyer(legal_case.case.node)
    _login(client, centre_manager(legal_case.case.node))
    response = client.post(reverse("legal:assign", args=[legal_case.pk]), {"version": 1, "lawyer": lawyer.pk})
    assert response.status_code == 302
    assert not Assignment.objects.unscoped().exists()


def test_bad_stage_input_keeps_what_was_typed(client, tree):
    legal_case = assigned_case(tree.g2)
    _login(client, legal_case.lawyer.user)
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    response = client.post(reverse("legal:stage_add", args=[legal_case.pk]),
                           {"kind": "arbitration", "started_on": future, "body": "江海市劳动人事争议仲裁委员会"})
    assert response.status_code == 422
    assert "不能晚于今天" in _text(response) and "江海市劳动人事争议仲裁委员会" in _text(response)
    assert not Stage.objects.unscoped().exists()
    response = client.post(reverse("legal:stage_add", args=[legal_case.pk]),
                           {"kind": "arbitration", "started_on": TODAY, "body": "江海市劳动人事争议仲裁委员会"})
    assert response.status_code == 302
    stage = Stage.objects.unscoped().get()
    response = client.post(reverse("legal:hearing_add", args=[stage.pk]), {"held_on": TODAY, "record": ""})
    assert response.status_code == 422 and "记录摘要" in _text(response)
    response = client.post(reverse("legal:hearing_add", args=[stage.pk]), {"held_on": TODAY, "record": "第一次开庭"})
    assert response.status_code == 302
    response = client.post(reverse("legal:stage_end", args=[stage.pk]), {"ended_on": TODAY, "result": "裁决支持"})
    assert response.status_code == 302
    page = _text(client.get(reverse("legal:case", args=[legal_case.pk])))
    assert "第一次开庭" in page and "裁决支持" in page


def test_the_case_page_gives_each_form_field_its_own_id(client, tree):
    """Several forms share the page (a stage's kind and a document's kind): no HTML id twice, and
    each label points at its own form's field."""
    import re
    from collections import Counter

    legal_case = assigned_case(tree.g2)
    for user in (legal_case.lawyer.user, centre_manager(legal_case.case.node)):
        page = _text(_login(client, user).get(reverse("legal:case", args=[legal_case.pk])))
        ids = Counter(re.findall(r'\bid="([^"]+)"', page))
        assert [i for i, n in ids.items() if n > 1] == []
        assert 'id="id_stage_kind"' in page and 'id="id_document_kind"' in page
        for target in re.findall(r'<label[^>]* for="([^"]+)"', page):
            assert ids[target] == 1, target


@pytest.mark.parametrize("amount, message", [("-500", "不能为负数"), ("20000", "超过申请时请求的金额")])
def test_bad_recovery_amounts_are_refused_on_the_page(client, tree, amount, message):
    legal_case = assigned_case(tree.g2)
    _login(client, legal_case.lawyer.user)
    response = client.post(reverse("legal:recovery_add", args=[legal_case.pk]),
                           {"amount": amount, "recovered_on": TODAY, "note": "第一笔"})
    assert response.status_code == 422 and message in _text(response)
    assert f'value="{amount}"' in _text(response)
    assert not Recovery.objects.unscoped().exists()


def test_recovery_without_a_name_is_the_applicants(client, tree):
    legal_case = assigned_case(tree.g2)
    _login(client, legal_case.lawyer.user)
    response = client.post(reverse("legal:recovery_add", args=[legal_case.pk]),
                           {"amount": "3000", "recovered_on": TODAY})
    assert response.status_code == 302
    recovery = Recovery.objects.unscoped().get()
    assert recovery.worker == legal_case.worker and recovery.name == legal_case.worker.name


def test_documents_upload_and_download(client, tree):
    legal_case = assigned_case(tree.g2)
    other = assigned_case(tree.g2)
    _login(client, legal_case.lawyer.user)
    response = client.post(reverse("legal:document_add", args=[legal_case.pk]),
                           {"kind": "final_document", "file": SimpleUploadedFile("调解书.png", PNG)})
    assert response.status_code == 302
    document = LegalDocument.objects.unscoped().get(legal_case=legal_case)
    assert client.get(reverse("legal:document", args=[document.pk])).status_code == 200
    response = client.post(reverse("legal:document_add", args=[legal_case.pk]),
                           {"kind": "other", "file": SimpleUploadedFile("a.png", b"MZ not a picture")})
    assert response.status_code == 422 and "可执行文件" in _text(response)
    _login(client, other.lawyer.user)
    assert client.get(reverse("legal:document", args=[document.pk])).status_code == 404


def test_closing_report_needs_the_final_document_then_the_centre_closes(client, tree):
    legal_case = assigned_case(tree.g2)
    lawyer_user = legal_case.lawyer.user
    _login(client, lawyer_user)
    url = reverse("legal:closing_report", args=[legal_case.pk])
    data = {"outcome": "settled", "amount_awarded": "9000", "text": "经调解对方同意分两期支付。"}
    response = client.post(url, data)
    assert response.status_code == 422 and "结案须附结案文书" in _text(response)
    assert "经调解对方同意分两期支付。" in _text(response)
    add_final_document(legal_case, lawyer_user)
    assert client.post(url, data).status_code == 302
    assert client.get(reverse("legal:close", args=[legal_case.pk])).status_code == 403  # lawyers do not close
    _login(client, centre_handler(legal_case.case.node))
    close_url = reverse("legal:close", args=[legal_case.pk])
    page = client.get(close_url)
    assert "经调解对方同意分两期支付。" in _text(page)
    legal_case.case.refresh_from_db()
    response = client.post(close_url, {"version": legal_case.case.version, "amount_awarded": "-3"})
    assert response.status_code == 422 and "不能为负数" in _text(response)
    response = client.post(close_url, {"version": legal_case.case.version})
    assert response.status_code == 302
    legal_case.refresh_from_db()
    assert legal_case.case.state == "closed" and legal_case.outcome == "settled"


def test_the_applicant_sees_the_outcome_and_rates_it(client, tree):
    user = WorkerUserFactory()
    legal_case = assigned_case(tree.g2, user=user)
    _login(client, user)
    portal = reverse("workflow:portal_case", args=[legal_case.pk])
    rate = reverse("legal:rate", args=[legal_case.pk])
    assert "请评价" not in _text(client.get(portal))
    response = client.post(rate, {"rating": "5", "comment": "很好"})
    assert response.status_code == 422 and "有了结果后才能评价" in _text(response)
    add_final_document(legal_case, legal_case.lawyer.user)
    from gonghui.legal import services_cases

    services_cases.submit_closing_report(legal_case, by=legal_case.lawyer.user, outcome="settled",
                                         text="调解结案", amount_awarded="6000")
    page = _text(client.get(portal))
    assert "调解/和解结案" in page and "请评价本次法律援助服务" in page and legal_case.lawyer.name in page
    response = client.post(rate, {"rating": "9", "comment": "律师耐心细致"})
    assert response.status_code == 422 and "1到5颗星" in _text(response) and "律师耐心细致" in _text(response)
    response = client.post(rate, {"rating": "5", "comment": "律师耐心细致"})
    assert response.status_code == 302
    legal_case.refresh_from_db()
    assert legal_case.rating == 5
    assert "您的评价：5星" in _text(client.get(portal))


def test_a_stranger_cannot_rate(client, tree, staff):
    legal_case = assigned_case(tree.g2, user=WorkerUserFactory())
    _login(client, WorkerUserFactory())
    assert client.post(reverse("legal:rate", args=[legal_case.pk]), {"rating": "1"}).status_code == 404
    _login(client, staff.d2_admin)
    assert client.post(reverse("legal:rate", args=[legal_case.pk]), {"rating": "1"}).status_code == 404


def test_the_engine_case_page_links_to_the_legal_page(client, tree, staff):
    legal_case = assigned_case(tree.g2)
    _login(client, staff.d2_admin)
    page = _text(client.get(reverse("workflow:case", args=[legal_case.pk])))
    assert reverse("legal:case", args=[legal_case.pk]) in page


def test_roster_pages(client, tree, staff):
    centre = make_centre(tree.d2)
    _login(client, staff.d2_admin)
    response = client.post(reverse("legal:firm_create"), {"node": centre.node_id, "name": "江海正义律师事务所",
                                                          "uscc": BAD_USCC})
    assert response.status_code == 422 and "校验码" in _text(response) and "江海正义律师事务所" in _text(response)
    response = client.post(reverse("legal:firm_create"), {"node": centre.node_id, "name": "江海正义律师事务所",
                                                          "uscc": GOOD_USCC, "active": "on"})
    assert response.status_code == 302
    firm = LawFirm.objects.unscoped().get()
    data = {"node": centre.node_id, "name": "周律师", "firm": firm.pk, "capacity": "4", "licence_no": "123",
            "conflict_usccs": BAD_USCC, "matters": ["wages"], "active": "on"}
    response = client.post(reverse("legal:lawyer_create"), data)
    assert response.status_code == 422
    assert "执业证号应为17位数字" in _text(response) and "校验码" in _text(response)
    data.update(licence_no="13501202010123456", conflict_usccs=GOOD_USCC, account="nobody")
    response = client.post(reverse("legal:lawyer_create"), data)
    assert response.status_code == 422 and "没有用户名为“nobody”的合作方账号" in _text(response)
    data["account"] = ""
    response = client.post(reverse("legal:lawyer_create"), data)
    assert response.status_code == 302
    lawyer = Lawyer.objects.unscoped().get()
    assert lawyer.conflict_usccs == [GOOD_USCC] and lawyer.matters == ["wages"] and lawyer.firm == firm
    listing = _text(client.get(reverse("legal:lawyers")))
    assert "周律师" in listing and "0/4" in listing
    assert client.get(reverse("legal:lawyer", args=[lawyer.pk])).status_code == 200
    assert "江海正义律师事务所" in _text(client.get(reverse("legal:firms")))
    # A handler sees the roster but may not change it.
    _login(client, centre_handler(centre.node))
    assert client.get(reverse("legal:lawyer_create")).status_code == 403
    assert client.post(reverse("legal:lawyer", args=[lawyer.pk]), data).status_code == 403


def test_only_lawyers_see_my_assigned_cases_in_the_navigation(client, tree, staff):
    from gonghui.core import nav

    legal_case = assigned_case(tree.g2)
    mine = reverse("legal:my_cases")
    assert mine in [i["url"] for i in nav.entries_for("console", legal_case.lawyer.user)]
    assert mine not in [i["url"] for i in nav.entries_for("console", staff.d2_admin)]
    _login(client, legal_case.lawyer.user)
    assert f'href="{mine}"' in _text(client.get(reverse("console:home")))


def test_my_cases_never_says_lawyer_twice(client, tree):
    """A roster may hold 赵律师 as the name: the pages and the letter add 律师 themselves."""
    from gonghui.legal.models_cases import bare_name

    assert (bare_name("赵律师"), bare_name("赵建国"), bare_name("律师")) == ("赵", "赵建国", "律师")
    legal_case = assigned_case(tree.g2)
    legal_case.lawyer.name = "赵律师"
    legal_case.lawyer.save()
    page = _text(_login(client, legal_case.lawyer.user).get(reverse("legal:my_cases")))
    assert "赵律师：" in page and "律师律师" not in page
