"""Demo data of the legal app's reports part: none of its own — the board, the figures and the PDF
documents read the consultations, cases, assignments and closings that the intake and cases parts
seed. Those are bulk-inserted, so the figures' tallies are counted afresh here."""


def seed(rng) -> dict:
    from gonghui.legal import tally

    return {"legal_tallies": tally.rebuild()}
