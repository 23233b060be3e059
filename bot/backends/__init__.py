"""Helpdesk backends: one interface (``base``), one module per helpdesk."""
