"""Registrations of the hardship app's core part (called from HardshipConfig.ready())."""


def ready():
    pass
