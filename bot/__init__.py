"""Slack front door for helpdesk tickets.

The layout, from the centre out (``pyproject.toml``'s ``[tool.importlinter]`` holds it):
``domain`` (the ticket, its thread, the form model, events) <- ``tickets`` (the service layer:
use cases, the authorization rule, the event bus, the ports, the form catalog, status polling)
<- ``config`` (settings, the forms file and its routes) and the adapters: ``slack`` (by
concern: ways in, the ticket's thread, App Home, triage, views, recording, plumbing),
``backends`` (one package per helpdesk), ``storage`` (SQLAlchemy, the outbox's tables) <-
``delivery`` (the outbox worker) <- ``serve`` (the HTTP and Socket Mode edges) and ``ops``
(checks, metrics, logs, admin commands) <- ``bootstrap`` (the one place that wires everything)
<- ``__main__`` (the commands). Two small shared helpers sit beside them: ``cache`` and
``stopping``. ``testing`` holds the fakes; nothing the app runs imports it."""
