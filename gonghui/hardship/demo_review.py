"""Demo data of the hardship app's review part."""


def seed(rng) -> dict:
    return {}
