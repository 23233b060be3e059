"""Alembic environment: run on the app's own connection at start-up (``bot.storage.database``),
or from the command line with ``-x url=sqlite:///...`` to write a new revision."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from bot.storage.tables import metadata

connection = context.config.attributes.get("connection")
if connection is not None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    url = context.get_x_argument(as_dictionary=True).get("url", "sqlite:///data/alembic-dev.db")
    with create_engine(url).connect() as cli_connection:
        context.configure(connection=cli_connection, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
