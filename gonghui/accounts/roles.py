"""Permissions and roles, declared in code.

A permission is a dotted name (``"orgs.view"``). A role is a named bundle of permissions.
Apps add their permissions and put them into bundles from their ``AppConfig.ready()``::

    roles.register_permission("hardship.view", _("查看困难档案"))
    roles.add_to_roles("hardship.view", "manager", "admin")

The mechanism (grants on tree nodes, the scope rule) never changes when a bundle grows.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


@dataclass
class Role:
    name: str
    label: str
    permissions: set[str] = field(default_factory=set)
    # Partners (lawyers, hospitals, schools) are granted single cases, never a subtree.
    grantable_on_node: bool = True


PERMISSIONS: dict[str, str] = {}
ROLES: dict[str, Role] = {}


def register_permission(name: str, label) -> None:
    PERMISSIONS[name] = label


def register_role(name: str, label, *, grantable_on_node: bool = True) -> Role:
    role = ROLES.setdefault(name, Role(name, label, grantable_on_node=grantable_on_node))
    return role


def add_to_roles(permission: str, *role_names: str) -> None:
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}; register it first")
    for role_name in role_names:
        ROLES[role_name].permissions.add(permission)


def role_choices():
    return [(r.name, r.label) for r in ROLES.values() if r.grantable_on_node]


def permissions_of(role_name: str) -> set[str]:
    role = ROLES.get(role_name)
    return role.permissions if role else set()


# The four starting bundles. Later issues add permissions to them and may add bundles.
register_role("viewer", _("查看员"))
register_role("handler", _("经办人"))
register_role("manager", _("审批人"))
register_role("admin", _("管理员"))
register_role("partner", _("合作方"), grantable_on_node=False)

# Permissions of the foundation.
register_permission("orgs.view", _("查看组织"))
register_permission("orgs.change", _("维护组织"))
register_permission("members.view", _("查看会员"))
register_permission("members.change", _("维护会员"))
register_permission("members.view_full_id", _("查看完整身份证号"))
register_permission("accounts.manage", _("管理账号与授权"))
register_permission("audit.view", _("查看审计日志"))

add_to_roles("orgs.view", "viewer", "handler", "manager", "admin")
add_to_roles("members.view", "viewer", "handler", "manager", "admin")
add_to_roles("members.change", "handler", "manager", "admin")
add_to_roles("orgs.change", "admin")
add_to_roles("members.view_full_id", "admin")
add_to_roles("accounts.manage", "admin")
add_to_roles("audit.view", "admin")
