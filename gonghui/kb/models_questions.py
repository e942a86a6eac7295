"""Models of the questions part (imported by models.py)."""
