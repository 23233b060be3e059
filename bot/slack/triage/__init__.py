"""The agents' triage channel: each new ticket posted there once and kept current in place
(``channel``, subscribed to the ticket's events) and the agents' buttons on it (``actions``:
assign, status, reply, note); its message's blocks are a view (``bot.slack.views.triage_message``).

May import ``bot.domain``, ``bot.tickets``, ``bot.delivery``, ``bot.config`` and the other Slack
packages; never ``bot.storage`` or ``bot.backends``."""
