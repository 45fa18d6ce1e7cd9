"""Launch templates: the built-in one and those admins write, stored per workspace. No Slack here."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.errors import InvalidInput
from bot.services.launches.changes import TEMPLATE, audit_template
from bot.services.launches.templates import (
    STANDARD,
    Template,
    TemplateItem,
    check_name,
    parse_items,
    standard_template,
)
from bot.services.settings.permissions import Permissions
from bot.services.writes import write
from storage.db import Database
from storage.launches import queries
from storage.writer import Writer


class LaunchTemplates:
    """Lists, finds and saves checklist templates; only admins write them."""

    def __init__(self, db: Database, writer: Writer, permissions: Permissions, clock: Clock) -> None:
        self._db = db
        self._writer = writer
        self._permissions = permissions
        self._clock = clock

    async def all(self, team_id: str) -> list[Template]:
        """The built-in template, then the ones admins wrote, by name."""
        async with self._db.read() as session:
            stored = await queries.list_templates(session, team_id)
        return [standard_template()] + [
            Template(t.name, [TemplateItem.from_dict(raw) for raw in t.items]) for t in stored
        ]

    async def get(self, team_id: str, name: str) -> Template:
        """A template by name; InvalidInput (on the modal's template field) if it is gone."""
        if not name or name == STANDARD:
            return standard_template()
        found = next((t for t in await self.all(team_id) if t.name.lower() == name.lower()), None)
        if found is None:
            raise InvalidInput({TEMPLATE: f"There is no template “{name}” any more; pick another."})
        return found

    async def save(self, team_id: str, actor_id: str, name: str, typed: str) -> Template:
        """Store a template an admin typed, one item a line; InvalidInput names each bad line."""
        template = Template(check_name(name), parse_items(typed))
        await self._permissions.require_admin(team_id, actor_id, "write launch templates")
        now = self._clock.now()
        items = [item.to_dict() for item in template.items]

        async def store(session: AsyncSession) -> Template:
            saved = await queries.save_template(session, team_id, template.name, items, actor_id, now)
            await audit_template(session, team_id, actor_id, saved.id or 0, template)
            return template

        return await write(self._writer, store)
