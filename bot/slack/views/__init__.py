"""Block Kit at the edge: the ticket modal built from a neutral form (``form``), its submitted
state read back into a draft (``state``), and Slack's limits checked where views are built
(``limits``). Pure: no I/O. May import ``bot.domain`` and slack_sdk's models."""
