"""Persistence: SQLAlchemy 2 tables (``tables``), Alembic migrations, and one small store per
concept (tickets, drafts, thread claims, the sync log, the outbox, the inbox of Slack requests
recorded before their ack, the shared request budget, the polling schedule). The stores implement
``bot.tickets.ports`` structurally. On SQLite, writers take turns in the process (``write_turns``).

May import ``bot.domain`` and SQLAlchemy; never ``bot.slack`` or ``bot.backends``."""
