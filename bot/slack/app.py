"""The Bolt app with every listener registered."""

from __future__ import annotations

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import command, options, picker, reactions, retry, shortcuts, submission
from bot.slack.deps import Deps


def create_bolt_app(*, client: AsyncWebClient, signing_secret: str, deps: Deps) -> AsyncApp:
    app = AsyncApp(client=client, signing_secret=signing_secret, request_verification_enabled=True)
    for module in (command, shortcuts, reactions, picker, options, submission, retry):
        module.register(app, deps)

    @app.action("open_ticket_link")
    async def acknowledge_link_click(ack: AsyncAck) -> None:
        await ack()

    return app
