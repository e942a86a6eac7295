"""The activities app's routes for the shared scope test."""

CASES = []
EXEMPT = {}
