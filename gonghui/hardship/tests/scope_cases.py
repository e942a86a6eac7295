"""The hardship app's routes for the shared scope test, gathered from one list per part of the app."""

from gonghui.hardship.tests import (
    scope_cases_aid,
    scope_cases_campaigns,
    scope_cases_core,
    scope_cases_review,
)

_PARTS = (scope_cases_core, scope_cases_aid, scope_cases_campaigns, scope_cases_review)
CASES = [case for part in _PARTS for case in getattr(part, "CASES", [])]
EXEMPT = {route: reason for part in _PARTS for route, reason in getattr(part, "EXEMPT", {}).items()}
