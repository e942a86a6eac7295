"""Registrations of the kb app's articles part (called from KbConfig.ready())."""


def ready():
    pass
