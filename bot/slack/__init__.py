"""Everything that speaks Slack: the Bolt app (``app``), its listeners by entry point
(``command``, ``shortcuts``, ``reactions``, ``channel_messages``, ``submission``,
``ticket_actions``, ``triage_actions``, ``thread_sync``, ``home``, ...), what they post
(``ticket_message``, ``announce``, ``notify``, ``ticket_thread``, ``triage``, ``home_tab``; paced
per channel by ``pace``), the Block Kit views (``views``), how request bodies are encoded
(``json_body``), how calls fail (``calls``) and are retried (``retry_handlers``: never a post
blindly), and what is recorded before the ack (``intake`` says which requests; ``inbox`` settles
and replays them).

May import ``bot.domain``, ``bot.tickets`` (its ports and use cases), ``bot.delivery`` and the
small shared modules; never ``bot.storage`` or ``bot.backends`` (stores and helpdesks come in
through the ports, given by ``bot.bootstrap``)."""
