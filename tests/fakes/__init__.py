"""Local stand-ins for Slack and the helpdesks, served over real HTTP."""
