"""The kinds of outbox job: what a service asks to reach Slack, named once."""

SYNC_CARD = "sync_card"
"""Post a request's triage card, or update it in place: payload {request_id}."""

NOTIFY = "notify"
"""Tell a requester or follower of a change by DM: payload is the notice."""

FILED_REPLY = "filed_reply"
"""Reply "Filed as REQ-n" in the thread of the message a request came from."""

SYNC_PROPOSAL = "sync_proposal"
"""Post or update a proposal's approval card in the approvals channel and approvers' DMs."""

PROPOSAL_OUTCOME = "proposal_outcome"
"""Tell the proposer a proposal was approved, rejected, sent back for changes or expired."""

ROADMAP_ANNOUNCEMENT = "roadmap_announcement"
"""Announce an applied roadmap change in the announcements channel."""

APPROVAL_REMINDER = "approval_reminder"
"""Remind an approver who has not voted."""

PUBLISH_HOME = "publish_home"
"""Re-render one person's Home tab from the database: payload {user_id}, one pending job a person."""

REFRESH_APPROVER_HOMES = "refresh_approver_homes"
"""Find the approvers (a user group needs Slack) and queue a PUBLISH_HOME for each: payload {}."""

POST_DIGEST = "post_digest"
"""Build a channel's digest from the database and post it: payload {run_id (None for `/digest now`),
subscription_id, channel_id, sections, skip_quiet, since, until, late_by_seconds, requested_by}."""
