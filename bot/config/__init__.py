"""What the operator configures: the app's settings from the environment and ``.env``
(``settings``), the forms file (``forms_file``) and the routes it declares: which channel files
with which form, which are help channels, who their agents are (``routing``). Loading them with
the chosen helpdesk's own settings is ``bot.ops.settings_loading``'s.

May import ``bot.domain`` and pydantic. Nothing here speaks Slack, HTTP or SQL."""
