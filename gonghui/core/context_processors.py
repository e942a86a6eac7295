from django.conf import settings

from gonghui.core import nav


def shell(request):
    """What the portal and console shells need on every page (navigation is computed only if used)."""
    # Error pages can be rendered before AuthenticationMiddleware ran (e.g. 400 for a bad Host).
    user = getattr(request, "user", None)
    return {
        "console_nav": lambda: nav.entries_for("console", user),
        "portal_nav": lambda: nav.entries_for("portal", user),
        "trial_mode": settings.TRIAL_MODE,
        "large_text": request.COOKIES.get("large_text") == "1",
    }
