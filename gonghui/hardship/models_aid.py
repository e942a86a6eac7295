"""Models of the hardship app's aid part (imported by models.py)."""
