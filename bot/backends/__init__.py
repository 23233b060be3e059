"""Helpdesks: one package per helpdesk (``siit``, ``suptask``), each registered as a
``registry.Helpdesk`` and listed in ``helpdesks.HELPDESKS``; HTTP retries (``http``) and request
budgets (``budget``) shared by them.

May import ``bot.domain``, ``bot.tickets`` (the ports they implement, the use cases their
webhooks call), ``bot.config.settings`` and ``bot.config.forms_file``; never ``bot.slack`` or ``bot.storage``."""
