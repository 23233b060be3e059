"""App Home: its listeners (``listeners``: the tab opened, paging, filters, "New ticket") and
the tab each person sees, published when they open it and when their tickets change (``tab``,
subscribed to the ticket's events).

May import ``bot.domain``, ``bot.tickets`` and the other Slack packages; never ``bot.storage``
or ``bot.backends``."""
