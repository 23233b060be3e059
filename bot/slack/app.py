"""The Bolt app with every listener registered."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.home import listeners as home
from bot.slack.thread import thread_sync, ticket_actions
from bot.slack.triage import actions as triage_actions
from bot.slack.views.ticket_message import LINK_ACTION
from bot.slack.ways_in import channel_messages, command, options, picker, reactions, retry, shortcuts, submission


class _TokenFromEnvironment(logging.Filter):
    """Bolt reads ``SLACK_BOT_TOKEN`` from the environment even when given a client, and then
    warns at every start that the token will be unused: it is the client's own token."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


def bolt_logger() -> logging.Logger:
    logger = logging.getLogger("slack_bolt.AsyncApp")
    if not any(isinstance(f, _TokenFromEnvironment) for f in logger.filters):
        logger.addFilter(_TokenFromEnvironment())
    return logger


def create_bolt_app(
    *,
    client: AsyncWebClient,
    command_deps: command.CommandDeps,
    shortcuts_deps: shortcuts.ShortcutsDeps,
    reactions_deps: reactions.ReactionsDeps,
    picker_deps: picker.PickerDeps,
    options_deps: options.OptionsDeps,
    submission_deps: submission.SubmissionDeps,
    retry_deps: retry.RetryDeps,
    ticket_actions_deps: ticket_actions.TicketActionsDeps,
    thread_sync_deps: thread_sync.ThreadSyncDeps,
    home_deps: home.HomeDeps,
    channel_messages_deps: channel_messages.ChannelMessagesDeps,
    triage_actions_deps: triage_actions.TriageActionsDeps,
) -> AsyncApp:
    """Bolt's request verification is off: over HTTP ``bot.serve.web.SlackEndpoint`` verifies every
    signature before a request reaches Bolt, unconditionally (verifying twice cost ~3 % of CPU
    under load); in Socket Mode nothing is signed."""
    app = AsyncApp(client=client, signing_secret="", request_verification_enabled=False, logger=bolt_logger())
    # Each entry point is given only what it uses. Bolt runs the first listener that matches:
    # auto-create's (top-level messages, the "no ticket" reaction, in its channels) comes first.
    channel_messages.register(app, channel_messages_deps)
    command.register(app, command_deps)
    shortcuts.register(app, shortcuts_deps)
    reactions.register(app, reactions_deps)
    picker.register(app, picker_deps)
    options.register(app, options_deps)
    submission.register(app, submission_deps)
    retry.register(app, retry_deps)
    ticket_actions.register(app, ticket_actions_deps)
    thread_sync.register(app, thread_sync_deps)
    home.register(app, home_deps)
    triage_actions.register(app, triage_actions_deps)

    @app.action(LINK_ACTION)
    async def acknowledge_link_click(ack: AsyncAck) -> None:
        await ack()

    return app
