"""What to tell people when Slack refuses a post for good: what happened and what to do, per error."""

from __future__ import annotations

from bot import text

INVITE = "invite me there with `/invite @pmbot`"
REINSTALL = "update the app from `pmbot manifest` (OAuth & Permissions scopes) and reinstall it"
CHOOSE_INTAKE = "choose another intake channel with `/request settings` (or on my Home tab)"


def intake_problem(code: str, intake: str | None) -> str:
    """Why request cards cannot reach the intake channel, and the fix: for admins and filers."""
    where = text.channel(intake) if intake else "the intake channel"
    if code == "is_archived":
        return f"I can't post request cards in {where}: it is archived. An admin can {CHOOSE_INTAKE}."
    if code == "not_in_channel":
        return f"I can't post request cards in {where}: I'm not a member. Please {INVITE}."
    if code == "missing_scope":
        return (
            f"I can't post request cards in {where}: the Slack app lacks a permission pmbot needs. "
            f"An admin can {REINSTALL}."
        )
    if code == "channel_not_found":
        return (
            f"I can't post request cards in {where}: I can't find it (deleted, or private without me). "
            f"Please {INVITE}, or an admin can {CHOOSE_INTAKE}."
        )
    return (
        f"I can't post request cards in {where} (Slack says `{text.escape(code)}`). "
        f"Please {INVITE}, or an admin can {CHOOSE_INTAKE}."
    )


def filer_notice(ref: str, code: str, intake: str | None) -> str:
    """The filer learns their request is safe, why its card is missing, and that admins know."""
    where = text.channel(intake) if intake else "the intake channel"
    return (
        f"{ref} is filed, but I could not post its card to {where} ({text.escape(code)}). "
        f"{intake_problem(code, intake)} I've told pmbot's admins too; I won't repeat this for "
        "your next requests."
    )


def admin_notice(code: str, intake: str | None) -> str:
    """The admins learn what keeps request cards out of the intake channel."""
    return f":warning: {intake_problem(code, intake)} Requests are still filed and kept meanwhile."


def digest_problem(code: str, channel: str) -> str:
    """Why a digest could not be posted in its channel, and the fix, for whoever set it up."""
    where = text.channel(channel)
    if code == "is_archived":
        return (
            f":warning: I could not post the digest in {where}: the channel is archived. Subscribe "
            "another channel there with `/digest subscribe`."
        )
    if code in ("not_in_channel", "channel_not_found"):
        return (
            f":warning: I could not post the digest in {where} ({code}). "
            f"Please {INVITE}, then try `/digest now`."
        )
    return (
        f":warning: I could not post the digest in {where} (Slack says `{text.escape(code)}`). "
        f"Please {INVITE}, then try `/digest now`."
    )
