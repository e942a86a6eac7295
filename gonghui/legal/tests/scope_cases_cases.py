"""The cases part's routes for the shared scope test."""

CASES = []
EXEMPT = {}
