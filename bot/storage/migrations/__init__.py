"""Alembic migrations of the schema in ``bot.storage.tables``, run at start (``migrate``). May
import SQLAlchemy and Alembic only."""
