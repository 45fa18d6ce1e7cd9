"""The digest message: cut to Slack's limits with "and N more" right, escaped, quiet weeks, late notes."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.services.digests.content import Counted, Digest, DigestList, LaunchLine, ProposalLine
from bot.views.common import as_dicts
from bot.views.digests.message import digest_message
from handlers.digests.lists import parse_value
from storage.digests.launches import LaunchRow, OverdueRow
from storage.digests.queries import ProposalRow, RequestRow, TriageRow
from tests.slack_limits import HEADER_TEXT, MESSAGE_BLOCKS, SECTION_TEXT, problems_in_message

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SINCE = NOW - timedelta(days=7)
NASTY = "<!channel> & <@U_EVE> <https://evil.example|click> @here " + "x" * 150


def request_row(n: int, title: str = NASTY) -> RequestRow:
    return RequestRow(n, title, "high", "new", 3, NOW - timedelta(days=6), "C_INTAKE", f"17.{n}")


def proposal_line(n: int, status: str = "pending") -> ProposalLine:
    decided = NOW - timedelta(days=1) if status in ("approved", "rejected") else None
    row = ProposalRow(
        n,
        n,
        "move",
        NASTY,
        n,
        status,
        "U_ALICE",
        1,
        2,
        NOW - timedelta(days=4),
        decided,
        None,
        "C_APP",
        f"18.{n}",
    )
    return ProposalLine(row, approved_by=("U_BOB",), waiting_for=("U_CAROL", "U_DAVE"))


def launch_line(n: int, status: str = "planned") -> LaunchLine:
    launched = NOW - timedelta(days=1) if status == "launched" else None
    row = LaunchRow(n, n, NASTY, date(2026, 11, 30), status, "U_CAROL", launched, 20, 12, 5, "C_L", f"19.{n}")
    overdue = tuple(OverdueRow(n, NASTY, date(2026, 11, 20), None) for _ in range(3))
    return LaunchLine(row, overdue)


def full(total: int, url: str | None = "https://acme.slack.com/") -> Digest:
    """Every list at ten rows read and `total` in all, every title as long and nasty as can be."""
    rows: dict[DigestList, list[Any]] = {
        DigestList.NEW: [request_row(n) for n in range(10)],
        DigestList.TRIAGED: [
            TriageRow(n, NASTY, "declined", "U_ADMIN", NOW, "C_INTAKE", "1.2") for n in range(10)
        ],
        DigestList.APPROVED: [proposal_line(n, "approved") for n in range(10)],
        DigestList.REJECTED: [proposal_line(n, "rejected") for n in range(10)],
        DigestList.PENDING: [proposal_line(n) for n in range(10)],
        DigestList.UPCOMING: [launch_line(n) for n in range(10)],
        DigestList.SHIPPED: [launch_line(n, "launched") for n in range(10)],
        DigestList.STUCK_REQUESTS: [request_row(n) for n in range(10)],
        DigestList.STUCK_APPROVALS: [proposal_line(n) for n in range(10)],
    }
    return Digest(
        team_id="T_TEST",
        since=SINCE,
        until=NOW,
        sections=("requests", "triage", "roadmap", "launches", "stuck"),
        workspace_url=url,
        lists={which: Counted(listed, total) for which, listed in rows.items()},
        triage_counts={"accepted": 0, "declined": total, "asked_for_info": 0, "marked_duplicate": 0},
    )


def sections_of(blocks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {block["block_id"]: block for block in blocks if block.get("block_id", "").startswith("digest:")}


def test_a_digest_with_more_than_fits_is_cut_to_slacks_limits() -> None:
    fallback, blocks = digest_message(full(total=1037))
    sent = as_dicts(blocks)  # to_dict() validates each block as Slack would

    assert problems_in_message({"text": fallback, "blocks": sent}) == []
    assert len(sent) <= MESSAGE_BLOCKS and len(sent[0]["text"]["text"]) <= HEADER_TEXT
    for block_id, block in sections_of(sent).items():
        body = block["text"]["text"]
        shown = len(re.findall(r"^• ", body, flags=re.MULTILINE))
        assert len(body) <= SECTION_TEXT
        assert 0 < shown <= 10, block_id
        assert body.endswith(f"_…and {1037 - shown:,} more_"), block_id
        assert block["accessory"]["text"]["text"] == "See all 1,037"
        wanted = parse_value(block["accessory"]["value"])
        assert (str(wanted.which), wanted.since, wanted.until, wanted.page) == (block_id[7:], SINCE, NOW, 0)


def test_a_list_that_fits_has_no_more_and_no_button() -> None:
    _, blocks = digest_message(full(total=10))
    new = sections_of(as_dicts(blocks))["digest:new"]

    assert "more_" not in new["text"]["text"] and "accessory" not in new
    assert new["text"]["text"].count("• ") == 10


def test_user_text_is_escaped_and_never_pings() -> None:
    fallback, blocks = digest_message(full(total=10))
    sent = as_dicts(blocks)
    texts = [block["text"]["text"] for block in sent if block["type"] == "section"]

    for body in texts:
        assert "<!channel>" not in body and "<@U_EVE>" not in body and "<https://evil" not in body
        assert "@here" not in body
    assert "&lt;!channel&gt; &amp; &lt;@U_EVE&gt;" in "\n".join(texts)
    assert all(block["text"]["verbatim"] for block in sent if block["type"] == "section")
    assert "<!channel>" not in fallback


def test_each_line_links_to_its_message() -> None:
    _, blocks = digest_message(full(total=10))
    found = sections_of(as_dicts(blocks))

    assert "<https://acme.slack.com/archives/C_INTAKE/p173|*REQ-3*>" in found["digest:new"]["text"]["text"]
    assert "<https://acme.slack.com/archives/C_APP/p184|*CHG-4*>" in found["digest:pending"]["text"]["text"]
    assert "<https://acme.slack.com/archives/C_L/p195|*LCH-5*>" in found["digest:upcoming"]["text"]["text"]
    _, unlinked = digest_message(full(total=10, url=None))
    assert "*REQ-3*" in sections_of(as_dicts(unlinked))["digest:new"]["text"]["text"]


def test_pending_changes_say_their_age_and_whose_vote_is_missing() -> None:
    _, blocks = digest_message(full(total=10))
    pending = sections_of(as_dicts(blocks))["digest:pending"]["text"]["text"]

    assert "pending 4 days · 1 of 2 approvals · waiting for <@U_CAROL>, <@U_DAVE>" in pending


def test_a_quiet_week_is_short() -> None:
    quiet = Digest("T_TEST", SINCE, NOW, ("requests", "roadmap"), None, {DigestList.NEW: Counted([], 0)}, {})

    fallback, blocks = digest_message(quiet)

    assert quiet.is_quiet and len(blocks) == 3
    assert "A quiet week" in as_dicts(blocks)[2]["text"]["text"] and "quiet week" in fallback


def test_a_late_digest_says_so() -> None:
    _, on_time = digest_message(full(total=1))
    _, late = digest_message(full(total=1), late_by=timedelta(hours=2, minutes=30))

    assert "late" not in as_dicts(on_time)[1]["elements"][0]["text"]
    assert "posted 2 h 30 min late" in as_dicts(late)[1]["elements"][0]["text"]


def test_lines_that_do_not_fit_in_a_section_are_counted_in_the_more() -> None:
    many = full(total=500)
    many.lists[DigestList.NEW] = Counted([request_row(n) for n in range(40)], 500)

    _, blocks = digest_message(many)
    body = sections_of(as_dicts(blocks))["digest:new"]["text"]["text"]
    shown = body.count("\n• ") + body.startswith("• ")

    assert 10 < shown < 40 and len(body) <= SECTION_TEXT
    assert body.endswith(f"_…and {500 - shown} more_")


def test_a_question_to_the_requester_reads_as_a_decision() -> None:
    digest = full(1)
    asked = TriageRow(7, "Faster search", "asked_for_info", "U_CAROL", NOW, "C_INTAKE", "1.7")
    digest.lists[DigestList.TRIAGED] = Counted([asked], 1)
    digest.triage_counts.update({"declined": 0, "asked_for_info": 1})

    _, blocks = digest_message(digest)
    said = json.dumps(as_dicts(blocks), ensure_ascii=False)

    assert "Faster search — asked for info" in said and "1 asked for info" in said
    assert "need info" not in said


def test_a_request_nobody_plus_oned_shows_no_zero_count() -> None:
    digest = full(2)
    rows = [replace(request_row(1, "Faster search"), upvotes=0), request_row(2, "Dark mode")]
    digest.lists[DigestList.NEW] = Counted(rows, 2)

    _, blocks = digest_message(digest)
    said = json.dumps(as_dicts(blocks), ensure_ascii=False)

    assert "Faster search — High impact\\n" in said or 'Faster search — High impact"' in said
    assert "0 +1s" not in said and "Dark mode — High impact · 3 +1s" in said
