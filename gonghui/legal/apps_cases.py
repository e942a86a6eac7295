"""Registrations of the legal app's cases part (called from LegalConfig.ready())."""

from django.utils.translation import gettext_lazy as _


def ready():
    from gonghui.core import nav
    from gonghui.ledger import kinds
    from gonghui.legal.services_cases import KIND_RECOVERED
    from gonghui.notifications import templates

    kinds.register(KIND_RECOVERED, _("法律援助追回欠款"))
    templates.register(
        "legal.assigned",
        subject=_("新的法律援助指派：{number}"),
        body=_("{centre}将法律援助案件{number}（对方：{opponent}）指派给您承办，委派函编号{letter}。请登录网上工会查看案件和材料。"),
        sms=_("{centre}指派法律援助案件{number}由您承办（{letter}），请登录网上工会查看。"),
    )
    templates.register(
        "legal.progress",
        subject=_("您的法律援助案件有新进展"),
        body=_("案件{number}：{text}"),
    )
    # Partner lawyers hold no grant on a node, so a permission cannot show them the entry: it is
    # shown to whoever has a roster row (core.nav's ``visible`` hook).
    nav.register("console", "legal_mine", _("我的指派案件"), "legal:my_cases", icon="briefcase", order=44,
                 group="assistance", visible=_is_lawyer)


def _is_lawyer(user) -> bool:
    from gonghui.legal.access import lawyer_of

    return lawyer_of(user) is not None
