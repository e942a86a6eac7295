from gonghui.accounts.tests.factories import StaffFactory, grant
from gonghui.core.tests.scopecases import ScopeCase


def _grant_in_d2(env):
    return grant(StaffFactory(username="xicheng_only_user"), env.tree.g2, "viewer")


CASES = [
    ScopeCase("accounts:grants", _grant_in_d2, kind="list", kwargs=lambda obj: {},
              marker=lambda obj: obj.user.username),
    ScopeCase("accounts:revoke_grant", _grant_in_d2, kind="delete"),
]

EXEMPT = {
    "accounts:staff_login": "sign-in page; shows no union's rows",
    "accounts:worker_login": "sign-in page; shows no union's rows",
    "accounts:logout": "ends the caller's own session",
    "accounts:password_change": "changes the caller's own password",
    "accounts:profile": "shows the caller's own grants and tokens only (filtered by user)",
    "accounts:revoke_token": "tokens belong to a user, not a union; filtered by request.user",
    "POST /api/v1/auth/code": "sends a sign-in code to the given phone; touches no union's rows",
    "POST /api/v1/auth/token": "sign-in; returns a token for the caller only",
    "DELETE /api/v1/auth/token": "revokes the caller's own bearer token",
    "GET /api/v1/auth/me": "returns the caller's own account",
}
