"""filmroll: an open-source photo-sharing service."""

__version__ = "0.1.0"
