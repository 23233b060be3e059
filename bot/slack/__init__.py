"""Everything that speaks Slack: the Bolt app, its listeners and what they post."""
