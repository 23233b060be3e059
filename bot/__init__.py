"""Slack front door for helpdesk tickets."""
