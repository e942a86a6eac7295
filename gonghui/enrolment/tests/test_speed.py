"""The release rush's per-request cost (bench/enrolment_rush.py): a sign-up over the API runs a
small, fixed set of SQL statements — the session with its user (one statement), ONE read of the offering
with the worker's audience facts, then the transaction: lock + live check in one statement, then
insert and counters (one statement on PostgreSQL, two on SQLite). Outside a caller's transaction
the insert has no savepoint; a refused insert rolls everything back and is retried or answered as
a duplicate."""

import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gonghui.enrolment import services
from gonghui.enrolment.models import Enrolment, Offering
from gonghui.enrolment.tests.factories import make_offering, make_worker_user

API = "/api/v1/enrolments"
S = Enrolment.Status

pytestmark = pytest.mark.django_db(transaction=True)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _sign_up(client, offering):
    return client.post(f"{API}/offerings/{offering.pk}/sign-up", json.dumps({}), content_type="application/json")


def _statements(queries) -> list[str]:
    """Each statement as "VERB table" (the top-level table: the last FROM of a SELECT)."""
    names = []
    for query in queries.captured_queries:
        sql = query["sql"]
        if sql.startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE")):
            continue
        verb = sql.split(" ", 1)[0]
        tables = re.findall(r'(?:FROM|INTO|UPDATE) "(\w+)"', sql)
        names.append(f"{verb} {tables[-1]}" if tables else sql)
    return names


def _one_statement() -> bool:
    return connection.vendor == "postgresql"


def test_a_sign_up_runs_three_statements_or_five_three_of_them_locked(tree):
    offering = make_offering(tree.g1, capacity=1)
    first, second = _client(make_worker_user(tree.g1)), _client(make_worker_user(tree.g1))
    assert _sign_up(first, offering).status_code == 201
    with CaptureQueriesContext(connection) as queries:
        response = _sign_up(second, offering)
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "waiting" and response.json()["position"] == 1
    locked = (["WITH enrolment_offering"] if _one_statement()  # lock, decide, insert, counters: one statement
              else ["SELECT enrolment_offering",  # FOR UPDATE, with the person's live sign-up as a subquery
                    "INSERT enrolment_enrolment", "UPDATE enrolment_offering"])
    assert _statements(queries) == [
        "SELECT accounts_session",  # the session auth: the session and its user in one statement
        "SELECT enrolment_offering",  # the offering (404 for a draft) with the worker's audience facts
        *locked,
    ], [q["sql"][:120] for q in queries.captured_queries]
    assert "accounts_user" in queries.captured_queries[0]["sql"]
    assert "members_worker" in queries.captured_queries[1]["sql"]
    if _one_statement():  # no BEGIN/COMMIT round trips: the statement is its own transaction
        assert not [q for q in queries.captured_queries if q["sql"].startswith(("BEGIN", "COMMIT", "SAVEPOINT"))]
    offering.refresh_from_db()
    assert (offering.confirmed_count, offering.waiting_count, offering.last_position) == (1, 1, 1)
    # a duplicate is found by the locking statement and read once more for the sentence
    with CaptureQueriesContext(connection) as queries:
        response = _sign_up(second, offering)
    assert response.status_code == 422 and response.json()["code"] == "duplicate"
    assert "候补中" in response.json()["message"]
    assert _statements(queries)[2:] == (["WITH enrolment_offering", "SELECT enrolment_enrolment"] if _one_statement()
                                        else ["SELECT enrolment_offering", "SELECT enrolment_enrolment", "ROLLBACK"])
    offering.refresh_from_db()
    assert (offering.confirmed_count, offering.waiting_count, offering.last_position) == (1, 1, 1)


def test_a_live_sign_up_the_lock_did_not_see_is_refused_by_the_index(tree, monkeypatch):
    """On PostgreSQL the live-check subquery reads the snapshot from before the lock was granted: the
    same person's sign-up committed meanwhile is missed there. The partial unique index refuses the
    insert, the transaction rolls back (counters untouched) and the answer is "duplicate"."""
    offering = make_offering(tree.g1, capacity=5)
    user = make_worker_user(tree.g1)
    services.sign_up(offering, user)
    if _one_statement():
        statement = services._sign_up_one_statement()
        blind = statement.replace("e.user_id = %(user)s", "e.user_id = %(user)s AND 1 = 0")
        assert blind != statement
        monkeypatch.setattr(services, "_sign_up_one_statement", lambda: blind)
    else:
        select, insert, update = services._sign_up_statements()
        blind = select.replace("e.user_id = %s", "e.user_id = %s AND 1 = 0")
        assert blind != select
        monkeypatch.setattr(services, "_sign_up_statements", lambda: (blind, insert, update))
    with pytest.raises(services.ValidationError) as refused:
        services.sign_up(offering, user)
    assert refused.value.code == "duplicate"
    offering = Offering.objects.unscoped().get(pk=offering.pk)
    assert (offering.confirmed_count, offering.waiting_count) == (1, 0)
    assert Enrolment.objects.unscoped().filter(offering=offering).count() == 1


def test_a_twin_check_in_code_is_retried_without_losing_the_sign_up(tree, monkeypatch):
    offering = make_offering(tree.g1, capacity=5)
    taken = services.sign_up(offering, make_worker_user(tree.g1))
    codes = iter([taken.code, taken.code, "ZZZ222"])
    monkeypatch.setattr(services, "_random_code", lambda: next(codes))
    second = services.sign_up(offering, make_worker_user(tree.g1))
    assert second.code == "ZZZ222" and second.status == S.CONFIRMED
    offering = Offering.objects.unscoped().get(pk=offering.pk)
    assert offering.confirmed_count == 2
    assert sorted(Enrolment.objects.unscoped().filter(offering=offering).values_list("code", flat=True)) == sorted(
        [taken.code, "ZZZ222"])
