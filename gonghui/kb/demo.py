"""Demo data of the kb app: articles first, then the questions that link to them."""

from gonghui.kb import demo_articles, demo_questions


def seed_kb(rng) -> dict:
    return demo_articles.seed(rng) | demo_questions.seed(rng)
