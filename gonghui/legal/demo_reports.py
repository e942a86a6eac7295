"""Demo data of the legal app's reports part."""


def seed(rng) -> dict:
    return {}
