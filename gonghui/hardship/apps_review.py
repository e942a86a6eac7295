"""Registrations of the hardship app's review part (called from HardshipConfig.ready()): the
reminder messages and the daily job that sends them."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _


def ready():
    from gonghui.core import periodic
    from gonghui.hardship.services_review import send_review_reminders
    from gonghui.notifications import templates

    templates.register(
        "hardship.reviews_due",
        subject=_("困难职工档案年度复核：{count}户将到期"),
        body=_("您负责的困难职工档案中有{count}户的年度复核将在30天内到期（最早{earliest}），"
               "请及时入户了解家庭现状并完成复核。"),
        sms=_("您有{count}户困难职工档案年度复核将到期，请登录工会工作台办理。"),
    )
    templates.register(
        "hardship.followups_due",
        subject=_("脱困家庭回访：{count}户将到期"),
        body=_("有{count}户已脱困家庭的回访将在7天内到期（最早{earliest}），请按时回访，发现返困及时恢复在档。"),
        sms=_("您有{count}户脱困家庭回访将到期，请登录工会工作台办理。"),
    )
    periodic.register(send_review_reminders, every=timedelta(days=1))

    _connect_tallies()


def _connect_tallies():
    """Keep the aid tallies (figures) in step with every saved or deleted aid payment."""
    from django.db.models.signals import post_delete, post_save, pre_save

    from gonghui.hardship.models import AidPayment
    from gonghui.hardship.services_review import TALLY_FIELDS, tally_change, tally_values

    def before(sender, instance, raw=False, **kwargs):
        if raw:
            return
        if instance.pk is None or instance._state.adding:
            instance._tally_before = None
        else:
            instance._tally_before = (AidPayment._base_manager.filter(pk=instance.pk).values(*TALLY_FIELDS).first())

    def after(sender, instance, raw=False, **kwargs):
        if raw:
            return
        tally_change(getattr(instance, "_tally_before", None), tally_values(instance))
        instance._tally_before = tally_values(instance)

    def deleted(sender, instance, **kwargs):
        tally_change(tally_values(instance), None)

    pre_save.connect(before, sender=AidPayment, dispatch_uid="hardship_aid_tally_before", weak=False)
    post_save.connect(after, sender=AidPayment, dispatch_uid="hardship_aid_tally_after", weak=False)
    post_delete.connect(deleted, sender=AidPayment, dispatch_uid="hardship_aid_tally_deleted", weak=False)
