"""Local stand-ins for Slack (Web API, Socket Mode) and the helpdesks (Siit, Suptask), served over
real HTTP by uvicorn, and a client that signs requests as Slack does. The tests and the benchmark
import them from here; an admin can serve them to try a forms file without a real workspace.

May import: ``bot.slack.views.limits`` (Block Kit limits the fake Slack checks) and libraries. Nothing of the
app's runtime imports this package."""
