"""Registrations of the hardship app's review part (called from HardshipConfig.ready())."""


def ready():
    pass
