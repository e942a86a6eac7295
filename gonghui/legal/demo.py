"""Demo data of the legal app, part by part (intake first: the other parts build on it)."""

from gonghui.legal import demo_cases, demo_intake, demo_reports


def seed_legal(rng) -> dict:
    counts = {}
    for part in (demo_intake, demo_cases, demo_reports):
        counts.update(part.seed(rng))
    return counts
