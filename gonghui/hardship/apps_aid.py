"""Registrations of the hardship app's aid part (called from HardshipConfig.ready())."""


def ready():
    from datetime import timedelta

    from django.utils.translation import gettext_lazy as _

    from gonghui.core import periodic
    from gonghui.hardship.services_aid import KIND_AID_PAID, KIND_PAIRING_HELP, refresh_pairing_flags
    from gonghui.ledger import kinds

    kinds.register(KIND_AID_PAID, _("困难帮扶救助金"))
    kinds.register(KIND_PAIRING_HELP, _("结对帮扶"))
    # The pairing list's "no contact for N days" flag reads contact_due_on; the daily run applies a
    # changed pairing_contact_days to every active pairing.
    periodic.register(refresh_pairing_flags, every=timedelta(days=1))
