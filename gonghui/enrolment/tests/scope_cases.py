"""The enrolment app's routes for the shared scope test."""

CASES = []
EXEMPT = {}
