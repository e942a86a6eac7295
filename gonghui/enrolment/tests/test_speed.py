"""The release rush's per-request cost: a sign-up over the API runs a small, fixed number of SQL
statements, and the locked part is lock + check + insert + counters."""

import json

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from gonghui.enrolment.tests.factories import make_offering, make_worker_user

API = "/api/v1/enrolments"


def test_sign_up_statements(tree):
    offering = make_offering(tree.g1, capacity=1)
    users = [make_worker_user(tree.g1) for _i in range(3)]
    clients = []
    for user in users:
        client = Client()
        client.force_login(user)
        clients.append(client)
    clients[0].post(f"{API}/offerings/{offering.pk}/sign-up", "{}", content_type="application/json")
    with CaptureQueriesContext(connection) as queries:
        response = clients[1].post(f"{API}/offerings/{offering.pk}/sign-up", json.dumps({}),
                                   content_type="application/json")
    assert response.status_code == 201, response.content
    for q in queries.captured_queries:
        print(q["sql"][:300])
    assert len(queries) < 0
