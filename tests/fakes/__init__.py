"""Test harness beside the fakes (which live in ``bot.testing``): the app as a real process, and
a fresh PostgreSQL database per test."""
