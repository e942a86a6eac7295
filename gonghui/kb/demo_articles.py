"""Demo data of the kb app's articles part."""


def seed(rng) -> dict:
    return {}
