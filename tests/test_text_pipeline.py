"""One text pipeline: Slack's input decoded once at the edge, stored as typed, escaped once for
mrkdwn, plain where Slack takes plain text, and typed words echoed back without going live."""

from __future__ import annotations

from datetime import date

from bot import text
from bot.views import ids
from tests.fakes import payloads
from tests.harness import ALICE, INTAKE, SECRET, Harness, card_calls, ephemeral_text
from tests.roadmap_steps import get_request
from tests.text_checks import everything_shown, problems

EXPORT = "Roadmap export: owners & dates"


async def test_a_slash_command_is_stored_as_typed_and_escaped_once_everywhere(pmbot: Harness) -> None:
    await pmbot.set_intake()

    number = await pmbot.file(EXPORT)  # Slack sends "owners &amp; dates"; pmbot decodes it once
    await pmbot.settled()

    assert (await get_request(pmbot, number)).title == EXPORT
    card = card_calls(pmbot.fake, number)[-1].params
    assert card["blocks"][0]["type"] == "header" and card["blocks"][0]["text"]["text"].endswith(EXPORT)
    assert "owners &amp; dates" in card["text"] and "&amp;amp;" not in str(card)
    listed = await pmbot.command("list mine")
    assert "owners &amp; dates" in ephemeral_text(listed) and "&amp;amp;" not in listed.text
    suggested = await pmbot.send(
        payloads.block_suggestion(SECRET, action_id=ids.REQUEST_PICKER, value="owners", user_id=ALICE)
    )
    assert [o["text"]["text"] for o in suggested.json()["options"]] == [f"REQ-{number} {EXPORT}"]
    assert problems(everything_shown(pmbot.fake, pmbot.answers)) == []


async def test_words_that_match_nothing_are_echoed_without_going_live(pmbot: Harness) -> None:
    for command in ("/roadmap", "/launch"):
        answer = await pmbot.command("<!channel> <https://evil|x> & co", command=command, channel_id=INTAKE)

        said = ephemeral_text(answer)
        assert "&lt;!channel&gt; &lt;https://evil|x&gt; &amp; co" in said, command
        assert "<!channel>" not in said and "<https://evil" not in said
        assert answer.json()["text"], "an answer with blocks carries its fallback text"


def test_text_helpers_escape_once_name_people_and_count() -> None:
    assert text.escape("<@U_DAVE> & <!here>") == "&lt;@U_DAVE&gt; &amp; &lt;!here&gt;"
    assert text.escape("<@U_DAVE> & <!here>", mentions=True) == "<@U_DAVE> &amp; &lt;!here&gt;"
    assert text.plain("ask <@U_DAVE> or <@U_EVE>", {"U_DAVE": "Dana"}) == "ask @Dana or @someone"
    assert text.neutralise_markup("cc <@U_DAVE> &lt;3 <!here>", keep_users=True) == "cc <@U_DAVE> <3 @here"
    assert text.first_sentence("Can we get SSO? It is late.", 100) == "Can we get SSO?"
    long = "Please make every dashboard exportable to CSV and PDF with owners dates and the filters applied"
    cut = text.first_sentence(long + " today", 60)
    assert cut == "Please make every dashboard exportable to CSV and PDF with…" and len(cut) <= 60
    assert [text.plural(n, "approval") for n in (0, 1, 2)] == ["0 approvals", "1 approval", "2 approvals"]
    assert text.fixed_date(date(2026, 12, 16)) == "Wed 16 Dec 2026"
    assert text.date_token(date(2026, 12, 16)).endswith("|Wed 16 Dec 2026>")
    assert text.escaped("see <@U_DAVE>", 9, mentions=True) == "see…", "a mention is never cut in half"
