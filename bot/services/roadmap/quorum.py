"""Can a proposal's quorum be reached? A proposer's vote never counts, so the voters are the
approvers (named, or the user group's members) minus the proposer."""

from __future__ import annotations

from bot import text
from bot.errors import InvalidInput


def unreachable_policy(voter_ids: list[str], required: int) -> str | None:
    """Why a policy could leave a proposal waiting forever, or None. Checked for every proposer an
    approver could be: when one of them proposes, only the others can vote."""
    voters = len(set(voter_ids))
    if not voters or required <= voters - 1:
        return None  # nobody named: admins approve (Slack cannot list them to count)
    if voters == 1:
        return (
            f"With one approver, {text.user(voter_ids[0])}'s own proposals could never pass: "
            "name a second approver."
        )
    return (
        f"With {voters} approvers, a quorum of {required} is never reached when one of them proposes "
        f"(their own vote does not count). Name at least {required + 1} approvers, or ask for "
        f"{voters - 1} approval{'s' if voters - 1 != 1 else ''}."
    )


def check_reachable(voter_ids: list[str], proposer_id: str, required: int, *, field: str) -> None:
    """Refuse a proposal that today's approvers cannot pass, saying whom to ask."""
    if not voter_ids:
        return
    eligible = [voter for voter in dict.fromkeys(voter_ids) if voter != proposer_id]
    if len(eligible) >= required:
        return
    who = ", ".join(text.user(voter) for voter in eligible) or "nobody"
    raise InvalidInput(
        {
            field: f"This change needs {required} approval{'s' if required != 1 else ''} but only "
            f"{len(eligible)} approver{'s' if len(eligible) != 1 else ''} can vote on it ({who}); your own "
            "vote does not count. Ask an admin to name more approvers or to lower the quorum."
        }
    )
