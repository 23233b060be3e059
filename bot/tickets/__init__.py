"""The service layer: the use cases around a ticket (``desk``: recording a filed ticket), the
one authorization rule (``authorization``), and the ports adapters implement (``ports``).

May import ``bot.domain`` only (and the standard library); Slack, storage and helpdesk adapters
are given to it, never imported."""
