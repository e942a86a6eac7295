"""Demo data of the hardship app's aid part."""


def seed(rng) -> dict:
    return {}
