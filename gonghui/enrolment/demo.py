"""Demo data of the enrolment app.

Offerings belong to the activities and courses that the activities and courses apps seed (through
``enrolment.services``: sign-ups, waiting lists, check-ins); enrolment adds nothing of its own.
"""


def seed_enrolment(rng) -> dict:
    return {}
