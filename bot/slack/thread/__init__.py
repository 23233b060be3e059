"""The ticket's own Slack thread: the ticket message posted once (``announce``), telling the
person how their ticket stands (``notify``), the ticket message's buttons (``ticket_actions``),
replies sent to the helpdesk (``thread_sync``) and what the helpdesk says coming back
(``ticket_thread``, subscribed to the ticket's events).

May import ``bot.domain``, ``bot.tickets``, ``bot.delivery``, ``bot.config`` and the other Slack
packages; never ``bot.storage`` or ``bot.backends``."""
