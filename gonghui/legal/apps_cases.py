"""Registrations of the legal app's cases part (called from LegalConfig.ready())."""


def ready():
    pass
