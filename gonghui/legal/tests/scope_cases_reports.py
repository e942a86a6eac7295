"""The reports part's routes for the shared scope test."""

CASES = []
EXEMPT = {}
