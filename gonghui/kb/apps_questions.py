"""Registrations of the kb app's questions part (called from KbConfig.ready())."""


def ready():
    pass
