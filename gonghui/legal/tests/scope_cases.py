"""The legal app's routes for the shared scope test, gathered from one list per part of the app."""

from gonghui.legal.tests import scope_cases_cases, scope_cases_intake, scope_cases_reports

_PARTS = (scope_cases_intake, scope_cases_cases, scope_cases_reports)
CASES = [case for part in _PARTS for case in getattr(part, "CASES", [])]
EXEMPT = {route: reason for part in _PARTS for route, reason in getattr(part, "EXEMPT", {}).items()}
