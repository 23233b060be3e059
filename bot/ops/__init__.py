"""Running the app: the command-line tools (``check``, ``admin``'s outbox commands,
``manifest``), loading the settings with the chosen helpdesk's (``settings_loading``), start-up
checks (``startup``), readiness (``readiness``), Prometheus metrics (``metrics``) and logging
that keeps secrets out (``logs``).

May import the service layer and the adapters it reports on; nothing below the serving edge and
the composition root imports it, except ``metrics`` and ``logs``, which the wiring hands down."""
