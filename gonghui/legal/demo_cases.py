"""Demo data of the legal app's cases part."""


def seed(rng) -> dict:
    return {}
