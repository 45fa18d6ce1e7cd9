"""How pmbot answers Slack: every interaction recorded under its key, answered truthfully in time."""
