"""The kinds of outbox job: what a service asks to reach Slack, named once."""

SYNC_CARD = "sync_card"
"""Post a request's triage card, or update it in place: payload {request_id}."""

NOTIFY = "notify"
"""Tell a requester or follower of a change by DM: payload is the notice."""

FILED_REPLY = "filed_reply"
"""Reply "Filed as REQ-n" in the thread of the message a request came from."""
