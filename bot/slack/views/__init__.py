"""Block Kit at the edge, pure (no I/O): the ticket modal built from a neutral form (``form``),
its submitted state read back into a draft (``state``), its other states (``modal_states``:
loading, submitting, filed, failed), the ticket message (``ticket_message``), a ticket's message
in the triage channel (``triage_message``), App Home's tab (``home``), and Slack's limits checked
where views are built (``limits``).

May import ``bot.domain``, slack_sdk's models and ``bot.slack.plumbing`` (mrkdwn); no other
Slack package."""
