"""Durable delivery of writes to the helpdesk (tickets, replies, closes): recorded in the outbox
first, then filed and announced in two fenced steps, retried until done or parked; the Slack
request that asked for a write (``recorded``) is forgotten in the same transaction.

May import ``bot.domain``, ``bot.tickets``, ``bot.storage`` (the outbox) and the helpdesk through
``bot.tickets.ports``; never ``bot.slack`` (it tells the person through a listener it is given)."""
