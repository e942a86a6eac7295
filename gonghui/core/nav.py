"""Navigation registry: each app adds its entries from AppConfig.ready().

``register("console", key, label, url_name, permission=..., group=...)`` adds a left-navigation entry
to the staff console, under one of ``CONSOLE_GROUPS`` (the console lists some thirty pages, so they
are gathered by line of work); ``register("portal", ...)`` adds a tab or service to the worker portal. Entries
with a permission are shown only to users who hold it somewhere.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch
from django.utils.translation import gettext_lazy as _

from gonghui.core.scope import has_permission
from gonghui.core.urlcache import static_reverse

# The console's groups in the order they are shown; "" is the ungrouped top (工作台, 消息通知).
CONSOLE_GROUPS = {
    "": "",
    "members": _("会员服务"),
    "requests": _("诉求与咨询"),
    "assistance": _("帮扶与维权"),
    "activities": _("活动与培训"),
    "admin": _("系统管理"),
}


@dataclass(frozen=True)
class NavEntry:
    area: str
    key: str
    label: str
    url_name: str
    icon: str = ""
    order: int = 100
    permission: str | None = None
    # A number shown on the entry (e.g. unread messages); called only when the entry is drawn.
    badge: Callable | None = None
    group: str = ""
    # Who sees the entry beyond permissions, e.g. partner lawyers (they hold no grant on a node).
    visible: Callable | None = None


_ENTRIES: dict[tuple[str, str], NavEntry] = {}


def register(area: str, key: str, label, url_name: str, *, icon: str = "", order: int = 100,
             permission: str | None = None, badge: Callable | None = None, group: str = "",
             visible: Callable | None = None) -> None:
    if area not in {"console", "portal"}:
        raise ValueError("area must be 'console' or 'portal'")
    if group not in CONSOLE_GROUPS or (group and area != "console"):
        raise ValueError(f"unknown console group {group!r}")
    _ENTRIES[(area, key)] = NavEntry(area, key, label, url_name, icon, order, permission, badge, group, visible)


def entries_for(area: str, user, path: str = "") -> list[dict]:
    """The entries the user may open; the one whose URL is the longest prefix of ``path`` is current.

    The longest prefix, so that /console/members/join-applications/ marks 入会申请, not 会员.
    """
    items = []
    for entry in sorted((e for e in _ENTRIES.values() if e.area == area), key=lambda e: (e.order, e.key)):
        if entry.permission and not has_permission(user, entry.permission):
            continue
        if entry.visible is not None and not entry.visible(user):
            continue
        try:
            url = static_reverse(entry.url_name)
        except NoReverseMatch:
            continue
        badge = entry.badge(user) if entry.badge and getattr(user, "is_authenticated", False) else 0
        items.append({"key": entry.key, "label": entry.label, "url": url, "icon": entry.icon, "badge": badge,
                      "current": False, "group": entry.group})
    home = "/console/" if area == "console" else "/"
    matches = [i for i in items if path == i["url"] or (i["url"] != home and path.startswith(i["url"]))]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["current"] = True
    return items


def grouped(items: list[dict]) -> list[dict]:
    """The console's entries gathered under ``CONSOLE_GROUPS``, in that order, empty groups left out;
    a group is marked current when it holds the current page (the sidebar opens that one)."""
    groups = []
    for code, label in CONSOLE_GROUPS.items():
        members = [i for i in items if i["group"] == code]
        if members:
            groups.append({"code": code, "label": label, "items": members,
                           "current": any(i["current"] for i in members)})
    return groups
