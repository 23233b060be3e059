"""The centre: the ticket, the Slack thread it lives in, the neutral form model with its rules.

Plain data and pure functions. May import the standard library only: nothing of ours, no Slack,
HTTP or SQL (an import-linter contract in the test suite holds this)."""
