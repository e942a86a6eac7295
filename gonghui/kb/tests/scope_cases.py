"""The kb app's routes for the shared scope test, gathered from one list per part of the app."""

from gonghui.kb.tests import scope_cases_articles, scope_cases_questions

_PARTS = (scope_cases_articles, scope_cases_questions)
CASES = [case for part in _PARTS for case in getattr(part, "CASES", [])]
EXEMPT = {route: reason for part in _PARTS for route, reason in getattr(part, "EXEMPT", {}).items()}
