"""Notifications belong to a user, not a union node: no route here touches a union's rows.

Every query filters by ``request.user`` (another user's notification is 404); test_views.py and
test_api.py prove it.
"""

CASES: list = []

_OWN = "notifications belong to a user, not a union node; filtered by request.user"

EXEMPT = {
    "notifications:inbox": f"the caller's own inbox: {_OWN}",
    "notifications:open": f"opens one of the caller's own notifications, anyone else's is 404: {_OWN}",
    "notifications:read_all": f"marks the caller's own notifications read: {_OWN}",
    "notifications:preferences": "the caller's own channel preferences (one-to-one with the user)",
    "notifications:console_inbox": f"the caller's own inbox in the console: {_OWN}",
    "notifications:console_open": f"opens one of the caller's own notifications, anyone else's is 404: {_OWN}",
    "notifications:console_read_all": f"marks the caller's own notifications read: {_OWN}",
    "notifications:console_preferences": "the caller's own channel preferences (one-to-one with the user)",
    "GET /api/v1/notifications/": f"the caller's own inbox: {_OWN}",
    "POST /api/v1/notifications/read": f"marks the caller's own notifications read; others' ids are ignored: {_OWN}",
}
