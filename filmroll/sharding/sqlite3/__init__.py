"""Django's SQLite backend, with one change (base.py): the embedded default's ENGINE."""
