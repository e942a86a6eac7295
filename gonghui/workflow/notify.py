"""Who hears about a step of a case, and what they read (through the notifications outbox)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gonghui.accounts.models import Grant
from gonghui.accounts.roles import ROLES
from gonghui.core.urlcache import object_url
from gonghui.notifications import services as notifications
from gonghui.notifications import templates

templates.register("workflow.opened", subject=_("新事项：{title}"),
                   body=_("{union}收到新的{type}“{title}”（{number}），请及时受理。"))
templates.register("workflow.transition", subject=_("{type}进展：{state}"),
                   body=_("您的{type}“{title}”（{number}）{action}，当前状态：{state}。{note}"))
templates.register("workflow.assigned", subject=_("指派给您：{title}"),
                   body=_("{type}“{title}”（{number}）已指派给您办理{due_text}。"))
templates.register("workflow.comment", subject=_("新留言：{title}"),
                   body=_("{type}“{title}”（{number}）有新的留言。"))
templates.register("workflow.due_soon", subject=_("即将到期：{title}"),
                   body=_("{type}“{title}”（{number}）将于{due}到期，请抓紧办理。"))
templates.register("workflow.escalated", subject=_("督办：{title}"),
                   body=_("{type}“{title}”（{number}）已超过办理时限，由{supervisor}督办。"))


def _staff_at(node, permission: str, cache: dict | None = None) -> list:
    """Users granted ``permission`` exactly at ``node``, or else at the nearest node above it."""
    if cache is not None and (node.pk, permission) in cache:
        return cache[(node.pk, permission)]
    paths = [node.path[:i] for i in range(len(node.path), 0, -4)]
    grants = (Grant.objects.unscoped().filter(node__path__in=paths, node__active=True)
              .select_related("user", "node"))
    by_path: dict[str, list] = {}
    for grant in grants:
        if permission in ROLES.get(grant.role, ROLES["viewer"]).permissions and grant.user.is_active:
            by_path.setdefault(grant.node.path, []).append(grant.user)
    found = next((by_path[path] for path in paths if path in by_path), [])  # nearest first
    if cache is not None:
        cache[(node.pk, permission)] = found
    return found


def recipients(case, audiences, *, by, cache: dict | None = None) -> dict[str, list]:
    """Recipients per audience; the person who acted is never told about their own step."""
    found: dict[str, list] = {}
    permission = case.type.view_permission
    for audience in audiences:
        if audience == "applicant" and case.applicant_id:
            found[audience] = [case.applicant]
        elif audience == "assignee" and case.assignee_id:
            found[audience] = [case.assignee]
        elif audience == "owner_staff":
            found[audience] = _staff_at(case.node, permission, cache)
        elif audience == "supervisor_staff":
            supervisor = case.supervising_node or case.node.parent
            found[audience] = _staff_at(supervisor, permission, cache) if supervisor else []
    acting = getattr(by, "pk", None)
    return {k: [u for u in users if u.pk != acting] for k, users in found.items()}


def case_messages(case, audiences, key: str, *, by, transition=None, note: str = "",
                  cache: dict | None = None) -> list[tuple]:
    """The ``(user, key, context, link)`` messages a step of ``case`` sends."""
    state = case.type.state(case.state)
    due = timezone.localtime(case.due_at).strftime("%Y-%m-%d %H:%M") if case.due_at else ""
    context = {
        "type": str(case.type.label), "title": case.title, "number": case.number,
        "union": case.node.name, "state": str(state.label), "due": due,
        "due_text": f"，{due}前办结" if due else "",
        "action": str(transition.label) if transition else "", "note": note,
        "supervisor": case.supervising_node.name if case.supervising_node_id else "",
    }
    messages = []
    for audience, users in recipients(case, audiences, by=by, cache=cache).items():
        if audience == "applicant":
            # The worker reads plain words, and follows the link to their own view.
            applicant_context = dict(context, state=str(state.applicant_label or state.label))
            link = object_url("workflow:portal_case", case.pk)
            messages.extend((u, key, applicant_context, link) for u in users)
        else:
            link = object_url("workflow:case", case.pk)
            messages.extend((u, key, context, link) for u in users)
    # Each person hears once per step, even when they belong to two audiences.
    seen: set[int] = set()
    return [m for m in messages if not (m[0].pk in seen or seen.add(m[0].pk))]


def notify_case(case, audiences, key: str, *, by, **context) -> None:
    notifications.notify_bulk(case_messages(case, audiences, key, by=by, **context))
