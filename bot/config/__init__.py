"""What the operator configures: the app's settings from the environment and ``.env``
(``settings``), loading them with the chosen helpdesk's own and naming every problem at once
(``loading``), the forms file (``forms_file``) and the routes it declares: which channel files
with which form, which are help channels, who their agents are (``routing``).

May import ``bot.domain`` and pydantic; the helpdesks' settings models through ``bot.backends``
(``loading`` only). Nothing here speaks Slack, HTTP or SQL."""
