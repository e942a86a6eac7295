"""Demo data of the legal app's reports part: none of its own — the board, the figures and the PDF
documents read the consultations, cases, assignments and closings that the intake and cases parts
seed."""


def seed(rng) -> dict:
    return {}
