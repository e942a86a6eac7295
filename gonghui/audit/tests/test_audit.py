"""The audit trail: append-only, who/where/what from the request, and the scoped audit page."""

import datetime
import json
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gonghui.accounts.models import Grant
from gonghui.accounts.tests.factories import PASSWORD, StaffFactory, grant
from gonghui.audit.models import AppendOnlyError, AuditEntry
from gonghui.audit.services import audited_delete, audited_save, client_ip, diff, one_batch, record, snapshot
from gonghui.orgs.models import UnionNode

SHANGHAI = ZoneInfo("Asia/Shanghai")


def entries():
    return AuditEntry.objects.unscoped()


# ----- append-only -----

@pytest.fixture
def entry(tree, staff):
    return record(staff.d1_admin, AuditEntry.Action.CHANGE, tree.g1, event="org.changed",
                  changes={"name": ["旧", "新"]})


def test_an_entry_cannot_be_saved_again(entry):
    entry.event = "tampered"
    with pytest.raises(AppendOnlyError):
        entry.save()
    assert entries().get(pk=entry.pk).event == "org.changed"


def test_an_entry_cannot_be_deleted(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert entries().filter(pk=entry.pk).exists()


@pytest.mark.parametrize("scoping", ["unscoped", "visible_to", "none"])
def test_querysets_cannot_update_or_delete(entry, staff, scoping):
    qs = {
        "unscoped": lambda: AuditEntry.objects.unscoped(),
        "visible_to": lambda: AuditEntry.objects.visible_to(staff.city_admin, "audit.view"),
        "none": lambda: AuditEntry.objects.filter(pk=entry.pk),
    }[scoping]
    with pytest.raises(AppendOnlyError):
        qs().update(event="tampered")
    with pytest.raises(AppendOnlyError):
        qs().delete()
    assert entries().get(pk=entry.pk).event == "org.changed"


def test_audit_queries_are_scoped(entry):
    from gonghui.core.scope import ScopeError

    with pytest.raises(ScopeError):
        list(AuditEntry.objects.all())


# ----- record -----

def test_record_fills_actor_object_and_node(tree, staff):
    e = record(staff.d1_admin, AuditEntry.Action.CHANGE, tree.g1, event="org.changed", changes={"a": [1, 2]},
               extra={"why": "test"})
    e = entries().get(pk=e.pk)
    assert e.actor == staff.d1_admin
    assert e.actor_name == str(staff.d1_admin)
    assert (e.object_type, e.object_id, e.object_repr) == ("orgs.unionnode", str(tree.g1.pk), "东城机械厂工会")
    assert e.node == tree.g1
    assert e.changes == {"a": [1, 2]}
    assert e.extra == {"why": "test"}
    assert e.ip is None  # no request


def test_record_follows_the_scope_path_to_the_node(tree, staff):
    g = Grant.objects.unscoped().get(user=staff.d2_manager)
    assert record(None, AuditEntry.Action.CREATE, g).node == tree.d2
    assert record(None, AuditEntry.Action.LOGIN).node is None


def test_record_for_the_system_or_an_anonymous_user(tree):
    from django.contrib.auth.models import AnonymousUser

    for actor in (None, AnonymousUser()):
        e = record(actor, AuditEntry.Action.CREATE, tree.g1)
        assert e.actor is None and e.actor_name == ""


def test_record_captures_the_ip_through_the_middleware(tree, staff):
    client = Client(REMOTE_ADDR="203.0.113.9")
    response = client.post(reverse("accounts:staff_login"), {"username": "t_d1_admin", "password": PASSWORD})
    assert response.status_code == 302
    e = entries().get(event="staff.login")
    assert e.actor == staff.d1_admin
    assert e.ip == "203.0.113.9"
    # After the request the context is gone again.
    assert record(None, AuditEntry.Action.LOGIN).ip is None


def test_forwarded_for_is_ignored_unless_trusted(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7, 10.0.0.1")
    assert client_ip(request) == "10.0.0.1"
    settings.GONGHUI_TRUST_X_FORWARDED_FOR = True
    assert client_ip(request) == "198.51.100.7"
    assert client_ip(None) is None


def test_record_takes_an_explicit_request(tree, rf):
    e = record(None, AuditEntry.Action.LOGIN, request=rf.get("/", REMOTE_ADDR="192.0.2.44"))
    assert e.ip == "192.0.2.44"


# ----- audited_save / audited_delete -----

def test_audited_save_records_the_changed_fields(tree, staff):
    node = UnionNode.objects.unscoped().get(pk=tree.g1.pk)
    node.short_name = "东机"
    node.contact_phone = "0512-88886666"
    audited_save(node, staff.d1_admin, event="org.changed")
    e = entries().get(event="org.changed")
    assert e.action == AuditEntry.Action.CHANGE
    assert e.changes == {"short_name": ["", "东机"], "contact_phone": ["", "0512-88886666"]}
    assert e.node == tree.g1
    assert UnionNode.objects.unscoped().get(pk=tree.g1.pk).short_name == "东机"


def test_audited_save_without_changes_writes_nothing(tree, staff):
    before = entries().count()
    audited_save(UnionNode.objects.unscoped().get(pk=tree.g1.pk), staff.d1_admin, event="org.changed")
    assert entries().count() == before


def test_audited_save_of_a_new_object_is_a_create(tree, staff):
    new_grant = Grant(user=staff.d1_manager, node=tree.g1, role="viewer")
    audited_save(new_grant, staff.d1_admin, event="grant.created")
    e = entries().get(event="grant.created")
    assert e.action == AuditEntry.Action.CREATE
    assert e.node == tree.g1
    assert e.changes["role"] == [None, "viewer"]
    assert e.changes["user_id"] == [None, staff.d1_manager.pk]


def test_audited_save_limited_to_some_fields(tree, staff):
    node = UnionNode.objects.unscoped().get(pk=tree.g1.pk)
    node.short_name = "东机"
    node.address = "东城路1号"
    audited_save(node, staff.d1_admin, event="org.changed", fields=["short_name"])
    assert entries().get(event="org.changed").changes == {"short_name": ["", "东机"]}


def test_audited_delete_snapshots_the_row(tree, staff):
    g = Grant.objects.unscoped().get(user=staff.g1_viewer)
    audited_delete(g, staff.d1_admin, event="grant.revoked")
    assert not Grant.objects.unscoped().filter(pk=g.pk).exists()
    e = entries().get(event="grant.revoked")
    assert e.action == AuditEntry.Action.DELETE
    assert e.node == tree.g1
    assert e.changes["role"] == ["viewer", None]


def test_snapshot_and_diff_are_plain_json(tree):
    snap = snapshot(UnionNode.objects.unscoped().get(pk=tree.g1.pk))
    json.dumps(snap)  # dates and foreign keys as plain values
    assert snap["parent_id"] == tree.d1.pk
    assert isinstance(snap["created_at"], str)
    assert diff({"a": 1, "b": 2}, {"a": 1, "b": 3, "c": None}) == {"b": [2, 3]}


# ----- the audit page -----

def at(day, hour=10):
    return datetime.datetime(2026, 3, day, hour, 0, tzinfo=SHANGHAI)


@pytest.fixture
def trail(tree, staff, monkeypatch):
    """Entries in both districts, by different people, on different days."""
    made = {}

    def make(key, when, actor, obj, node=None):
        monkeypatch.setattr(timezone, "now", lambda: when)
        made[key] = record(actor, AuditEntry.Action.CHANGE, obj, node=node, event=f"test.{key}")

    make("d1_early", at(1), staff.d1_admin, tree.d1)
    make("g1_mid", at(5), staff.g1_handler, tree.g1)
    make("g1_late", at(10, 23), staff.d1_admin, tree.g1)
    make("d2", at(5), staff.d2_admin, tree.g2)
    make("city", at(5), staff.city_admin, tree.city)
    make("system", at(5), None, None)
    monkeypatch.undo()
    return made


def listed(client, **params):
    response = client.get(reverse("audit:list"), params)
    assert response.status_code == 200, response.content[:300]
    return {e.event.removeprefix("test.") for e in response.context["object_list"] if e.event.startswith("test.")}


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_audit_page_shows_only_the_admins_subtree(trail, staff):
    assert listed(logged_in(staff.d1_admin)) == {"d1_early", "g1_mid", "g1_late"}
    assert listed(logged_in(staff.d2_admin)) == {"d2"}
    # The city admin sees every node's entries; entries with no node belong to no subtree.
    assert listed(logged_in(staff.city_admin)) == {"d1_early", "g1_mid", "g1_late", "d2", "city"}


def test_audit_page_shows_entries_in_chinese(trail, staff):
    response = logged_in(staff.d1_admin).get(reverse("audit:list"))
    text = response.content.decode()
    assert "东城机械厂工会" in text
    assert "西城纺织厂工会" not in text
    assert "修改" in text  # the action's label


def test_audit_page_filters_by_user(trail, staff):
    client = logged_in(staff.d1_admin)
    assert listed(client, user=str(staff.g1_handler)) == {"g1_mid"}
    assert listed(client, user=str(staff.d2_admin)) == set()  # not in this admin's scope anyway


def test_audit_page_filters_by_object(trail, staff, tree):
    client = logged_in(staff.d1_admin)
    assert listed(client, object="机械厂") == {"g1_mid", "g1_late"}
    assert listed(client, object=str(tree.d1.pk)) == {"d1_early"}
    assert listed(client, object="orgs.unionnode") == {"d1_early", "g1_mid", "g1_late"}


def test_audit_page_filters_by_date(trail, staff):
    client = logged_in(staff.d1_admin)
    assert listed(client, start="2026-03-02", end="2026-03-09") == {"g1_mid"}
    assert listed(client, start="2026-03-05") == {"g1_mid", "g1_late"}
    # 23:00 in Shanghai on the 10th is still the 10th, though it is the 10th 15:00 UTC.
    assert listed(client, end="2026-03-10") == {"d1_early", "g1_mid", "g1_late"}
    assert listed(client, start="2026-03-11") == set()
    # A malformed date is ignored, not an error.
    assert listed(client, start="March") == {"d1_early", "g1_mid", "g1_late"}


def test_audit_page_is_newest_first(trail, staff):
    response = logged_in(staff.d1_admin).get(reverse("audit:list"))
    events = [e.event for e in response.context["object_list"] if e.event.startswith("test.")]
    assert events == ["test.g1_late", "test.g1_mid", "test.d1_early"]


def test_audit_page_htmx_returns_the_table_only(trail, staff):
    response = logged_in(staff.d1_admin).get(reverse("audit:list"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "audit/_table.html"
    assert "<html" not in response.content.decode()


@pytest.mark.parametrize("who", ["d1_manager", "g1_handler", "g1_viewer"])
def test_audit_page_without_audit_view_is_403(trail, staff, who):
    response = logged_in(getattr(staff, who)).get(reverse("audit:list"))
    assert response.status_code == 403
    assert "您没有执行此操作的权限。" in response.content.decode()


def test_audit_page_for_a_user_without_grants_is_403(db):
    response = logged_in(StaffFactory()).get(reverse("audit:list"))
    assert response.status_code == 403


def test_audit_page_needs_login(db):
    response = Client().get(reverse("audit:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:staff_login"))


def test_audit_page_for_a_grant_added_later(trail, tree):
    user = StaffFactory()
    grant(user, tree.g1, "admin")
    assert listed(logged_in(user)) == {"g1_mid", "g1_late"}


def test_audit_list_finds_entries_by_username_and_by_part_of_the_object_type(tree, staff):
    from django.test import Client
    from django.urls import reverse

    from gonghui.audit.services import record

    record(staff.g1_handler, "change", tree.g1, event="org.changed")
    client = Client()
    client.force_login(staff.city_admin)
    by_username = client.get(reverse("audit:list"), {"user": staff.g1_handler.username})
    assert [e.actor for e in by_username.context["object_list"]] == [staff.g1_handler]
    by_type = client.get(reverse("audit:list"), {"object": "unionnode"})
    assert all(e.object_type == "orgs.unionnode" for e in by_type.context["object_list"])
    assert by_type.context["object_list"]


def test_one_batch_writes_nothing_inside_and_everything_after(tree, staff):
    with one_batch():
        record(staff.city_admin, AuditEntry.Action.CHANGE, tree.d1, event="inside")
    record(staff.city_admin, AuditEntry.Action.CHANGE, tree.d1, event="after")
    events = list(AuditEntry.objects.unscoped().values_list("event", flat=True))
    assert "inside" not in events and "after" in events
