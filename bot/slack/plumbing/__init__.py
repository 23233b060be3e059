"""Slack plumbing every listener shares: how calls fail (``calls``) and are retried
(``retry_handlers``: never a post blindly), payload parsing (``payloads``), request
bodies (``json_body``), mrkdwn escaping (``mrkdwn``), message metadata and texts (``metadata``,
``messages``), the per-channel posting pace (``pace``), and who people are (``directory``,
``token_info``, ``user_groups``).

May import ``bot.domain``, ``bot.tickets`` (ports) and slack_sdk; no other Slack package (an
import contract holds it)."""
