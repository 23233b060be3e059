"""Slack front door for helpdesk tickets.

The layout, from the centre out (``pyproject.toml``'s ``[tool.importlinter]`` holds it):
``domain`` (the ticket, its thread, the form model, events) <- ``tickets`` (the service layer:
use cases, the authorization rule, the event bus, the ports) <- the adapters: ``slack`` (Bolt
listeners, Block Kit), ``backends`` (one package per helpdesk), ``storage`` (SQLAlchemy, the
outbox's tables) <- ``delivery`` (the outbox worker) <- ``bootstrap`` (the one place that wires
everything) <- ``__main__`` (the commands). ``testing`` holds the fakes; nothing the app runs
imports it."""
