"""Print the demo accounts that ``seed_demo`` creates: who they are and where they sign in."""

from django.conf import settings
from django.core.management.base import BaseCommand

from gonghui.accounts import roles
from gonghui.accounts.models import Grant, User
from gonghui.demo.management.commands.seed_demo import (
    DEMO_PASSWORD,
    PARTNER_ACCOUNTS,
    STAFF_ACCOUNTS,
    WORKER_PHONE,
)

STAFF_LOGIN = "/accounts/login/"
WORKER_LOGIN = "/accounts/worker-login/"


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if ord(c) > 0x2E80 else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


class Command(BaseCommand):
    help = "Print the demo accounts (username, password, role, where to sign in)."

    def handle(self, *args, **options):
        usernames = [a[0] for a in STAFF_ACCOUNTS + PARTNER_ACCOUNTS] + [f"w{WORKER_PHONE}"]
        present = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
        if not present:
            self.stdout.write("No demo accounts in this database (run: manage.py seed_demo).")
            return
        grants: dict[str, list[str]] = {}
        for username, role, node_name in (
            Grant.objects.unscoped().filter(user__username__in=usernames)
            .order_by("node__path").values_list("user__username", "role", "node__name")
        ):
            label = str(roles.ROLES[role].label) if role in roles.ROLES else role
            grants.setdefault(username, []).append(f"{node_name} · {label}")

        rows = [("用户名 Username", "密码 Password", "身份 Who", "登录 Sign in at")]
        for username, description, _node, _role in STAFF_ACCOUNTS:
            if username in present:
                who = "；".join(grants.get(username, [])) or description
                rows.append((username, DEMO_PASSWORD, who, STAFF_LOGIN))
        for username, who in PARTNER_ACCOUNTS:
            if username in present:
                rows.append((username, DEMO_PASSWORD, who, STAFF_LOGIN))
        if f"w{WORKER_PHONE}" in present:
            rows.append((WORKER_PHONE, "验证码 one-time code", "职工（东湖精机工会会员） worker, member of union 1",
                         WORKER_LOGIN))
        widths = [max(_width(r[i]) for r in rows) for i in range(3)]
        self.stdout.write("Gonghui demo accounts (fictional data, trial mode only):")
        for n, row in enumerate(rows):
            self.stdout.write("  " + "  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row[:3])) + "  " + row[3])
            if n == 0:
                self.stdout.write("  " + "-" * (sum(widths) + 6 + _width(row[3])))
        self.stdout.write(
            f"Staff sign in with username and password at {STAFF_LOGIN}. The worker signs in at {WORKER_LOGIN} "
            f"with the mobile {WORKER_PHONE}: "
            + ("in trial mode the code is shown on the page (no SMS is sent)."
               if getattr(settings, "TRIAL_MODE", False) else "the code arrives by SMS.")
        )
