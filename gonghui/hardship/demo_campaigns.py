"""Demo data of the hardship app's campaigns part."""


def seed(rng) -> dict:
    return {}
