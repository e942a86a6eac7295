"""Registrations of the legal app's intake part (called from LegalConfig.ready())."""


def ready():
    pass
