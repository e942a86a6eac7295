"""Models of the hardship app's core part (imported by models.py)."""
