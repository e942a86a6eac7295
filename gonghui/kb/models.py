"""Policy consultation and news (政策咨询): articles, the search index, questions."""

from gonghui.kb.models_questions import *  # noqa: F403
