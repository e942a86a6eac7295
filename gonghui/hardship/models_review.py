"""Models of the hardship app's review part (imported by models.py)."""
