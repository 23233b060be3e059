"""The ways a person asks for a ticket: ``/ticket`` (``command``), the message and global
shortcuts (``shortcuts``), the ticket reaction (``reactions``), a help channel's messages
(``channel_messages``), the form picker and its options (``picker``, ``options``), the modal
(``modal``, ``view_cache``) and its submission (``submission``), "Try again" on a failed one
(``retry``), a late trigger (``late_trigger``), and a Slack message made into a request
(``message_request``).

May import ``bot.domain``, ``bot.tickets``, ``bot.delivery``, ``bot.config`` (routes) and the
other Slack packages; never ``bot.storage`` or ``bot.backends``."""
