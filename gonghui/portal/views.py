from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from gonghui.members.models import Worker
from gonghui.members.services import active_membership

WORKER_LOGIN = "accounts:worker_login"


def _worker_of(user) -> Worker | None:
    return Worker.objects.unscoped().filter(user=user).first() if user.is_authenticated else None


def home(request):
    """The portal home: open to everyone; a signed-in worker sees their union."""
    worker = _worker_of(request.user)
    membership = active_membership(worker) if worker else None
    from gonghui.kb.services_articles import latest_for

    return render(request, "portal/home.html", {"worker": worker, "membership": membership,
                                                "kb_latest": latest_for(request.user)})


def services(request):
    return render(request, "portal/services.html")


@login_required(login_url=WORKER_LOGIN)
def me(request):
    worker = _worker_of(request.user)
    return render(request, "portal/me.html", {
        "worker": worker, "membership": active_membership(worker) if worker else None,
    })


@require_POST
def toggle_large_text(request):
    """Large-text mode (适老化) is a cookie so it works before sign-in too."""
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = redirect(target)
    if request.COOKIES.get("large_text") == "1":
        response.delete_cookie("large_text")
    else:
        response.set_cookie("large_text", "1", max_age=60 * 60 * 24 * 365, samesite="Lax")
    return response
