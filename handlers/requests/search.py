"""`/request search <words>`: the workspace's requests that hold those words, best first."""

from __future__ import annotations

from slack_bolt.async_app import AsyncAck, AsyncBoltContext

from bot.runtime import Services
from bot.views.common import as_dicts
from bot.views.requests.replies import help_blocks
from bot.views.requests.similar import search_results


async def answer_search(ack: AsyncAck, context: AsyncBoltContext, services: Services, typed: str) -> None:
    """Answer privately with up to 10 matches (any status; duplicates point to their original)."""
    typed = typed.strip()
    if not typed:
        await ack(blocks=as_dicts(help_blocks("Say what to look for: `/request search export csv`.")))
        return
    found = await services.similar.search(context.team_id or "", typed)
    await ack(blocks=as_dicts(search_results(typed, found)))
