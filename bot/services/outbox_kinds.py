"""The kinds of outbox job: what a service asks to reach Slack, named once."""

SYNC_CARD = "sync_card"
"""Post a request's triage card, or update it in place: payload {request_id}."""

NOTIFY = "notify"
"""Tell a requester or follower of a change by DM: payload is the notice."""

TELL_PROBLEM = "tell_problem"
"""DM one person what keeps pmbot from posting and what to do: payload {user_id, text}; queued once
a person and problem (dedupe key), not once a failed job."""

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

PROPOSAL_RESUBMITTED = "proposal_resubmitted"
"""Tell an approver a proposal was resubmitted and needs their vote again: payload {proposal_id,
user_id, asked_by_id, comment} (the request for changes it answers)."""

PUBLISH_HOME = "publish_home"
"""Re-render one person's Home tab from the database: payload {user_id}, one pending job a person."""

REFRESH_APPROVER_HOMES = "refresh_approver_homes"
"""Find the approvers (a user group needs Slack) and queue a PUBLISH_HOME for each: payload {}."""

POST_LAUNCH = "post_launch"
"""Post a launch's parent message and checklist thread where they are missing, update the rest:
payload {launch_id}, one pending job a launch."""

SYNC_LAUNCH_PARENT = "sync_launch_parent"
"""Re-render a launch's parent message from the database: payload {launch_id}."""

SYNC_LAUNCH_CHUNK = "sync_launch_chunk"
"""Re-render one checklist message of a launch's thread from the database: payload {launch_id, chunk}."""

SYNC_GONOGO = "sync_gonogo"
"""Post a go/no-go round's poll in the launch's thread, or update it: payload {launch_id, round}."""

LAUNCH_NOTICE = "launch_notice"
"""Post a notice in a launch's thread (slipped, launched, cancelled, go/no-go result)."""

POST_DIGEST = "post_digest"
"""Build a channel's digest from the database and post it: payload {run_id (None for `/digest now`),
subscription_id, channel_id, sections, skip_quiet, since, until, late_by_seconds, requested_by}."""

DIGEST_STOPPED = "digest_stopped"
"""Tell whoever set up a channel's digest that someone else stopped it: payload {user_id,
channel_id, stopped_by}."""

LAUNCH_MORNING_DM = "launch_morning_dm"
"""DM an item owner their overdue, today's and tomorrow's launch items, rendered at delivery:
payload {run_id, user_id, day (their local date), due_at, late_by_seconds}."""

LAUNCH_REMINDER_POST = "launch_reminder_post"
"""Post a T-7 / T-1 / launch-day reminder or the day-after summary in a launch's thread:
payload {run_id, launch_id, launch_date, stage, due_at, late_by_seconds}."""

LAUNCH_GONOGO_OPEN = "launch_gonogo_open"
"""Open a launch's first go/no-go poll on schedule, once its T-1 post is up: payload {launch_id, number}."""
LAUNCH_NO_GO = "launch_no_go"
"""Tell a launch's owner a decider said no-go, and why: payload {launch_id, user_id, voter_id, round,
reason}."""

LAUNCH_ASSIGNMENT = "launch_assignment"
"""Tell someone they were given something to do on a launch (a checklist item, a go / no-go vote):
payload {launch_id, user_id, actor_id, item_id (None for a decider)}, rendered at delivery."""
