"""Demo data of the legal app's intake part."""


def seed(rng) -> dict:
    return {}
