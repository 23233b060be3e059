"""Benchmark: Slack's clocks under load, against bare Bolt (``python -m bench``)."""
