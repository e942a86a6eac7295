"""Demo data of the hardship app's core part."""


def seed(rng) -> dict:
    return {}
