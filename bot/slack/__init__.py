"""Everything that speaks Slack, by concern: the ways in (``ways_in``), the ticket's thread
(``thread``), App Home (``home``), the triage channel (``triage``), the Block Kit views
(``views``), what is recorded before the ack (``recording``) and the shared plumbing
(``plumbing``); ``app`` builds the Bolt app with every listener registered.

May import ``bot.domain``, ``bot.tickets`` (its ports and use cases), ``bot.delivery``,
``bot.config`` and the small shared modules; never ``bot.storage`` or ``bot.backends`` (stores and
helpdesks come in through the ports, given by ``bot.bootstrap``)."""
