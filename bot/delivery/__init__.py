"""Durable delivery of tickets to the helpdesk: recorded first, retried until filed."""
