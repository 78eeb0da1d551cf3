"""Django's SQLite backend with a machine-wide queue for writers (see base.py)."""
