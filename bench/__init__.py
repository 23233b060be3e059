"""Benchmark: Slack's clocks under load, against bare Bolt (``python -m bench``).

``run`` holds the phases in order; ``harness`` starts the processes (fakes, app, bare Bolt) and
keeps the report; ``open_loop`` drives requests at a rate and finds a capacity; ``sweep`` runs
it for several apps in turn; ``scaling`` measures two instances against one under
``cpu_cap``'s quota; ``home_and_polling`` the phases without load; ``fakes``, ``bare_app`` and
``trivial_app`` are the processes measured against. It may import ``bot`` (the app's public
entry points and ``bot.testing``'s fakes); nothing in ``bot`` imports it."""
