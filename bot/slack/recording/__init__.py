"""What Slack hands us is recorded before it is acknowledged: which requests are
(``intake``), and the inbox that settles them with the work they cause and replays them after a
crash (``inbox``).

May import ``bot.domain``, ``bot.tickets``, ``bot.delivery`` (the recorded request) and the
other Slack packages; never ``bot.storage`` or ``bot.backends``."""
