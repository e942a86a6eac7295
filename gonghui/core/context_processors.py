from django.conf import settings

from gonghui.accounts.roles import ROLES
from gonghui.core import nav
from gonghui.core.scope import primary_grant


def _acting_as(user):
    """The union node and role shown in the console's top bar (the highest grant)."""
    grant = primary_grant(user)
    if grant is None:
        return None
    node_name, role = grant
    return {"node": node_name, "role": ROLES[role].label if role in ROLES else role}


def shell(request):
    """What the portal and console shells need on every page (navigation is computed only if used)."""
    # Error pages can be rendered before AuthenticationMiddleware ran (e.g. 400 for a bad Host).
    user = getattr(request, "user", None)
    return {
        "console_nav": lambda: nav.entries_for("console", user, request.path),
        "console_nav_groups": lambda: nav.grouped(nav.entries_for("console", user, request.path)),
        "portal_nav": lambda: nav.entries_for("portal", user, request.path),
        "acting_as": lambda: _acting_as(user),
        "trial_mode": settings.TRIAL_MODE,
        "large_text": request.COOKIES.get("large_text") == "1",
    }
