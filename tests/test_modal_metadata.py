"""Modal metadata a person could forge is never trusted: pmbot seals it for the person it opened
the modal for; a forged, re-used or garbled seal is refused cleanly before any listener runs."""

from __future__ import annotations

import json

import pytest

from bot.interactions.sealing import seal
from bot.views import ids
from tests.answer_steps import request_count, requests_titled
from tests.fakes import payloads
from tests.harness import ALICE, BOB, SECRET, TEAM, Harness
from tests.test_request_filing import modal_values

FORGED_SOURCE = {
    "source": {
        "channel_id": "C_ELSEWHERE",
        "ts": "1.2",
        "author_id": BOB,
        "permalink": "https://evil.example/<!channel>",
        "response_url": "https://evil.example/steal",
    }
}
MODALS_WITH_METADATA = (
    ids.REQUEST_MODAL,
    ids.DECLINE_MODAL,
    ids.NEED_INFO_MODAL,
    ids.PROPOSE_MODAL,
    ids.REJECT_MODAL,
    ids.CHANGES_MODAL,
    ids.DIGEST_MODAL,
    ids.LAUNCH_ITEM_MODAL,
    ids.LAUNCH_DATE_MODAL,
)
REFUSED = "could not be checked, so nothing was saved"


def submission(callback_id: str, metadata: str, *, user: str = ALICE) -> payloads.SignedRequest:
    values = modal_values(title="Forged filing") if callback_id == ids.REQUEST_MODAL else {}
    return payloads.view_submission(
        SECRET, callback_id=callback_id, values=values, user_id=user, private_metadata=metadata
    )


@pytest.mark.parametrize("callback_id", MODALS_WITH_METADATA)
async def test_forged_metadata_is_refused_in_every_modal(pmbot: Harness, callback_id: str) -> None:
    forged = json.dumps({**FORGED_SOURCE, "number": 1, "channel": "C_ELSEWHERE", "item_id": 1})
    for_someone_else = seal(forged, secret=SECRET, team_id=TEAM, user_id=BOB)
    wrong_secret = seal(forged, secret="not-the-secret", team_id=TEAM, user_id=ALICE)
    for metadata in (forged, for_someone_else, wrong_secret, "}{ not json", "s1.deadbeef.{}"):
        response = await pmbot.send(submission(callback_id, metadata))
        assert response.status_code == 200, response.text
        assert REFUSED in response.text, response.text
    assert await request_count(pmbot) == 0
    assert pmbot.fake.calls_to("response_url") == []


async def test_metadata_pmbot_sealed_for_the_sender_is_accepted(pmbot: Harness) -> None:
    await pmbot.set_intake()
    response = await pmbot.send(submission(ids.REQUEST_MODAL, ""))
    assert response.status_code == 200 and "REQ-1" in response.text
    assert len(await requests_titled(pmbot, "Forged filing")) == 1
