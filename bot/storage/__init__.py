"""Persistence: SQLAlchemy tables and one small store per concept."""
