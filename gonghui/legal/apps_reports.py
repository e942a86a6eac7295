"""Registrations of the legal app's reports part (called from LegalConfig.ready())."""


def ready():
    pass
