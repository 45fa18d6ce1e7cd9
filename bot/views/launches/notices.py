"""Posts in a launch's thread: the go / no-go poll, its result, slips, launched and cancelled."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, ContextBlock

from bot import text
from bot.services.launches.reads import LaunchView
from bot.text import plural
from bot.views import ids
from bot.views.common import mrkdwn, section
from bot.views.launches.parent import launch_title, launch_when, launched_day, overrode_no_go
from storage.models import GoNoGo, GoNoGoVote, LaunchStatus

REASON_SHOWN = 600  # a no-go reason (500 typed, room for its escapes)


def poll_message(view: LaunchView, round_: int) -> tuple[str, list[Block]]:
    """The go / no-go poll of one round: who answered what, whose answer is missing, the buttons."""
    launch = view.launch
    heading = f":vertical_traffic_light: *Go / no-go for {launch_title(launch)}* (poll {round_})"
    fallback = f"Go / no-go for {launch.ref} (poll {round_})"
    if round_ != launch.gonogo_round:
        return fallback, [section(heading), section(f"_Replaced by poll {launch.gonogo_round}._")]
    lines = [
        f"Launch {launch_when(launch)} · deciders {' '.join(text.user(d) for d in view.deciders)}",
        _answers(view.votes, view.deciders, closed=launch.gonogo_decision is not None),
    ]
    blocks: list[Block] = [section(heading), section("\n".join(lines))]
    if launch.gonogo_decision is not None:
        blocks.append(section(f"Result: {_decision(launch.gonogo_decision)}"))
        return f"{fallback}: {_words(launch.gonogo_decision)}", blocks
    if not view.active:
        ended = "launched" if launch.status == LaunchStatus.LAUNCHED else "cancelled"
        blocks.append(section(f"_Not decided: {launch.ref} was {ended} first. The poll is over._"))
        return f"{fallback}: not decided", blocks
    block_id = f"{ids.GONOGO_BLOCK_PREFIX}{launch.number}:{round_}"
    buttons = [
        ButtonElement(text="Go", action_id=ids.LAUNCH_GO, value="go", style="primary"),
        ButtonElement(text="No-go", action_id=ids.LAUNCH_NO_GO, value="no_go", style="danger"),
        ButtonElement(text="Close poll", action_id=ids.LAUNCH_CLOSE_GONOGO, value="close"),
    ]
    blocks.append(ActionsBlock(block_id=block_id, elements=buttons))
    blocks.append(
        ContextBlock(elements=[mrkdwn("Deciders answer; the launch owner may close the poll early.")])
    )
    return fallback, blocks


def notice_message(view: LaunchView, payload: dict[str, Any]) -> tuple[str, list[Block]]:
    """A notice in the thread: a slip or a date change, launched, cancelled, a go / no-go result."""
    launch, kind = view.launch, payload["notice"]
    actor = text.user(payload.get("actor") or "pmbot")
    if kind in ("slipped", "date_changed"):
        before, after = date.fromisoformat(payload["before"]), date.fromisoformat(payload["after"])
        verb = "slipped" if kind == "slipped" else "moved"
        line = (
            f":calendar: *{launch.ref} {verb}* from {text.date_token(before)} to {text.date_token(after)}"
            f" (by {actor})."
        )
        line += _open_items_line(payload["moved"], payload.get("kept") or 0)
        if payload.get("reason"):
            line += f" Why: “{text.escaped(payload['reason'], 500)}”"
    elif kind == "launched":
        line = f":tada: *{launch.ref} is launched!* Marked by {actor}."
        if launched_day(launch) not in (None, launch.launch_date):
            line += f" It was planned for {launch_when(launch)}."
        if overrode_no_go(launch, view.slipped_at):
            line += " The go / no-go had said *NO-GO* ⛔; it went ahead anyway."
    elif kind == "cancelled":
        line = f":no_entry_sign: *{launch.ref} was cancelled* by {actor}."
    else:
        line = _result_line(view, payload)
    return _notice_fallback(view, payload), [section(line)]


def _open_items_line(moved: int, kept: int) -> str:
    """What the move did to the open items' due dates (done items are not counted)."""
    if moved:
        stayed = f"; {kept} set by hand stayed." if kept else "."
        return f" {plural(moved, 'due date')} moved with it{stayed}"
    return f" {plural(kept, 'due date')} set by hand stayed." if kept else ""


def _notice_fallback(view: LaunchView, payload: dict[str, Any]) -> str:
    launch, kind = view.launch, payload["notice"]
    name = text.escaped(launch.name, 100)
    if kind in ("slipped", "date_changed"):
        after = text.date_token(date.fromisoformat(payload["after"]))
        return f"{launch.ref} {name} {'slipped' if kind == 'slipped' else 'moved'} to {after}"
    if kind in ("launched", "cancelled"):
        return f"{launch.ref} {name} is {kind}"
    decision = launch.gonogo_decision if payload.get("round") == launch.gonogo_round else None
    said = ("GO" if decision == GoNoGo.GO else "NO-GO") if decision else "closed without a decision"
    return f"{launch.ref} {name}: {said} (go / no-go poll {payload.get('round')})"


def _result_line(view: LaunchView, payload: dict[str, Any]) -> str:
    launch = view.launch
    decision = launch.gonogo_decision if payload.get("round") == launch.gonogo_round else None
    result = _decision(decision) if decision else "recorded"
    answers = _answers(view.votes, view.deciders, closed=True)
    return f"*Go / no-go for {launch.ref}* (poll {payload.get('round')}): {result}\n{answers}"


def _answers(votes: list[GoNoGoVote], deciders: list[str], *, closed: bool = False) -> str:
    said = [answer_of(vote) for vote in votes]
    missing = [text.user(d) for d in deciders if d not in {v.voter_id for v in votes}]
    parts = ["Answered: " + ", ".join(said) if said else "Nobody answered yet"]
    if missing:
        parts.append(("no answer from " if closed else "waiting for ") + " ".join(missing))
    return " · ".join(parts)


def _words(decision: GoNoGo) -> str:
    return "go" if decision == GoNoGo.GO else "no-go"


def answer_of(vote: GoNoGoVote) -> str:
    """`@bob go`, or `@carol no-go (“Legal has not signed off”)`."""
    if vote.choice == GoNoGo.GO:
        return f"{text.user(vote.voter_id)} go"
    why = f" (“{text.escaped(vote.note, REASON_SHOWN)}”)" if vote.note else ""
    return f"{text.user(vote.voter_id)} no-go{why}"


def no_go_told(view: LaunchView, payload: dict[str, Any]) -> str:
    """What the launch owner reads when a decider says no-go."""
    launch = view.launch
    return (
        f"{text.user(payload['voter_id'])} said *no-go* on *{launch_title(launch)}* "
        f"(poll {payload['round']}): “{text.escaped(payload['reason'], REASON_SHOWN)}”"
    )


def _decision(decision: GoNoGo) -> str:
    return "*GO* ✅" if decision == GoNoGo.GO else "*NO-GO* ⛔"


def assignment_message(
    view: LaunchView, actor_id: str, item_id: int | None, today: date, link: str | None = None
) -> str:
    """What someone just given work on a launch reads: what is theirs, on which launch, by when,
    and where to tick it off (`today`: the launch's own date today, to say an item is late;
    `link`: the launch's message, when its permalink is known)."""
    launch, actor = view.launch, text.user(actor_id)
    where = f"*{launch_title(launch)}* (launch {launch_when(launch)})"
    item = next((entry for entry in view.items if entry.id == item_id), None)
    if item is None:
        return (
            f"{actor} made you a go / no-go decider for {where}. Before launch day a poll in "
            f"{text.channel(launch.channel_id)} asks for your go or no-go."
        )
    late = " — already overdue" if item.due_date < today and not item.done else ""
    return (
        f"{actor} made you the owner of “{text.escaped(item.title, 200)}” on {where}, due "
        f"{text.date_token(item.due_date)}{late}. It is yours to do: tick it off in "
        f"{_thread(link)} in {text.channel(launch.channel_id)}."
    )


def _thread(link: str | None) -> str:
    return f"<{link}|the launch's thread>" if link else "the launch's thread"
