"""Plain-Python finance rules: no Flask, no SQLAlchemy."""
