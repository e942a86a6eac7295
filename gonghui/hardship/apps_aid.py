"""Registrations of the hardship app's aid part (called from HardshipConfig.ready())."""


def ready():
    pass
