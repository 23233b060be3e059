"""Local stand-ins for Slack (Web API, Socket Mode) and the helpdesks (Siit, Suptask), served over
real HTTP by uvicorn, and a client that signs requests as Slack does. The tests and the benchmark
import them from here; an admin can serve them to try a forms file without a real workspace.

``polling`` runs the app's own Siit poller, stores and client against the fake Siit on a simulated
clock (the tests' simulated hour, the benchmark's polling figures). ``postgres`` makes a fresh
PostgreSQL database and drops it after (the tests' and the benchmark's).

May import: ``bot.slack.views.limits`` (Block Kit limits the fake Slack checks) and libraries;
``polling`` also the app's packages it runs. Nothing of the app's runtime imports this package."""
