"""The serving edges, where Slack's requests come in: HTTP (``web``: signature, body limits
(``body_limit``), what a body is (``request_shape``), record-then-ack) and Socket Mode
(``socket_mode``), and the pool that runs listeners after their acks (``listener_pool``).

May import everything below it (``bot.slack``, ``bot.tickets``, ``bot.storage``, ``bot.ops``,
``bot.domain``); nothing but the composition root and the entry point imports it."""
