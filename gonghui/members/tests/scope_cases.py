"""The members app's routes for the shared scope test, gathered from one list per part of the app."""

from gonghui.members.tests import scope_cases_card, scope_cases_import, scope_cases_join, scope_cases_records

_PARTS = (scope_cases_records, scope_cases_import, scope_cases_join, scope_cases_card)
CASES = [case for part in _PARTS for case in getattr(part, "CASES", [])]
EXEMPT = {route: reason for part in _PARTS for route, reason in getattr(part, "EXEMPT", {}).items()}
