"""The Bolt app with every listener registered."""

from __future__ import annotations

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import (
    command,
    options,
    picker,
    reactions,
    retry,
    shortcuts,
    submission,
    thread_sync,
    ticket_actions,
)
from bot.slack.deps import Deps
from bot.slack.ticket_message import LINK_ACTION


def create_bolt_app(*, client: AsyncWebClient, signing_secret: str, deps: Deps) -> AsyncApp:
    """Bolt's request verification is off: ``bot.web.SlackEndpoint`` verifies every signature
    before a request reaches Bolt, unconditionally; verifying twice cost ~3 % of CPU under load."""
    app = AsyncApp(client=client, signing_secret=signing_secret, request_verification_enabled=False)
    for module in (command, shortcuts, reactions, picker, options, submission, retry, ticket_actions, thread_sync):
        module.register(app, deps)

    @app.action(LINK_ACTION)
    async def acknowledge_link_click(ack: AsyncAck) -> None:
        await ack()

    return app
