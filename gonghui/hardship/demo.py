"""Demo data of the hardship app, part by part (files first: the other parts build on them)."""

from gonghui.hardship import demo_aid, demo_campaigns, demo_core, demo_review


def seed_hardship(rng) -> dict:
    counts = {}
    for part in (demo_core, demo_aid, demo_campaigns, demo_review):
        counts.update(part.seed(rng))
    return counts
