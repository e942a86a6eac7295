"""Demo data of the activities app."""


def seed_activities(rng) -> dict:
    return {}
