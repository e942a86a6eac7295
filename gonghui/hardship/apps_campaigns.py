"""Registrations of the hardship app's campaigns part (called from HardshipConfig.ready())."""


def ready():
    pass
