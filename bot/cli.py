"""The `pmbot` command: serve, playground, db upgrade, db prune, manifest, export."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

import uvicorn
from sqlalchemy.exc import SQLAlchemyError

from bot.app import create_app
from bot.clock import SystemClock
from bot.config import ConfigError, Settings, load_settings
from bot.errors import StoreUnavailable
from bot.manifest import manifest_yaml
from bot.runtime import build_retention, build_services
from bot.services.roadmap.export import render
from bot.socket_mode import SocketModeConnection
from bot.web import SlackWebApp
from storage.db import Database
from storage.migrate import upgrade_to_head
from storage.workspaces import list_team_ids
from storage.writer import Writer

EXIT_CONFIG = 2
EXIT_UNAVAILABLE = 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except ConfigError as error:
        print(f"pmbot: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except (OSError, SQLAlchemyError) as error:
        print(f"pmbot: the database did not answer: {_first_line(error)}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except StoreUnavailable as error:  # a write through the Writer: the database's own words are the cause
        print(f"pmbot: the database did not answer: {_first_line(error.__cause__ or error)}", file=sys.stderr)
        return EXIT_UNAVAILABLE


def serve(args: argparse.Namespace) -> int:
    """Serve Slack's requests over HTTP, or over Socket Mode with --socket-mode."""
    settings = load_settings(require_app_token=args.socket_mode)
    _configure_logging(settings.LOG_LEVEL)
    services = build_services(settings)
    bolt = create_app(services)
    companions = [SocketModeConnection(bolt, settings)] if args.socket_mode else []
    web = SlackWebApp(bolt, services, companions=companions)
    config = uvicorn.Config(
        web, host=settings.HOST, port=settings.PORT, log_level=settings.LOG_LEVEL.lower(), lifespan="on"
    )
    uvicorn.Server(config).run()
    return 0


def playground(args: argparse.Namespace) -> int:
    """Run pmbot against the Slack stand-in, used from a web page on loopback (no Slack needed)."""
    from bot.playground.run import Options, run  # imported here: serve never loads the stand-in

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return run(Options(port=args.port, reset=args.reset, empty=args.empty))


def db_upgrade(args: argparse.Namespace) -> int:
    """Apply the database migrations."""
    settings = _database_settings()
    _configure_logging(settings.LOG_LEVEL)

    async def upgrade() -> None:
        db = Database(settings.DATABASE_URL)
        try:
            await upgrade_to_head(db)
        finally:
            await db.dispose()

    asyncio.run(upgrade())
    print(f"database is at the newest schema ({_redacted(settings.DATABASE_URL)})")
    return 0


def db_prune(args: argparse.Namespace) -> int:
    """Delete delivered outbox jobs and old scheduled runs once, as the daily job does."""
    settings = _database_settings()
    _configure_logging(settings.LOG_LEVEL)

    async def prune() -> str:
        db = Database(settings.DATABASE_URL)
        writer = Writer(db)
        writer.start()
        try:
            return (await build_retention(settings, writer, SystemClock()).prune()).summary()
        finally:
            await writer.stop()
            await db.dispose()

    print(asyncio.run(prune()))
    return 0


def manifest(args: argparse.Namespace) -> int:
    """Print the Slack app manifest."""
    if not args.socket_mode and not args.url:
        print("pmbot: manifest needs --url https://your-host (or --socket-mode)", file=sys.stderr)
        return EXIT_CONFIG
    sys.stdout.write(manifest_yaml(args.url, socket_mode=args.socket_mode))
    return 0


def export_roadmap(args: argparse.Namespace) -> int:
    """Print the roadmap with its linked requests."""
    settings = _database_settings()

    async def read() -> str:
        services = build_services(settings)
        try:
            team_id = args.team or await _only_team(services.db)
            return render(await services.roadmap.roadmap(team_id), args.format)
        finally:
            await services.db.dispose()

    sys.stdout.write(asyncio.run(read()))
    return 0


async def _only_team(db: Database) -> str:
    teams = await list_team_ids(db)
    if len(teams) != 1:
        raise ConfigError(f"this database holds {len(teams)} workspaces; name one with --team (of: {teams})")
    return teams[0]


def _database_settings() -> Settings:
    # `db upgrade` needs no Slack credentials; placeholders satisfy the settings' validation.
    return load_settings(SLACK_BOT_TOKEN="xoxb-unused", SLACK_SIGNING_SECRET="unused")


def _configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Bolt logs request bodies (user text) at INFO and DEBUG; keep them out unless debugging.
    if level != "DEBUG":
        logging.getLogger("slack_bolt").setLevel(logging.WARNING)
        logging.getLogger("slack_sdk").setLevel(logging.WARNING)


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _redacted(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}" if "@" in rest else url


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pmbot", description="A Slack bot that does a PM's coordination work."
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve_cmd = commands.add_parser("serve", help="serve Slack (HTTP on HOST:PORT, or Socket Mode)")
    serve_cmd.add_argument(
        "--socket-mode", action="store_true", help="connect over Socket Mode (SLACK_APP_TOKEN)"
    )
    serve_cmd.set_defaults(run=serve)

    playground_cmd = commands.add_parser(
        "playground", help="try pmbot without Slack: a Slack stand-in in the browser at 127.0.0.1"
    )
    playground_cmd.add_argument("--port", type=int, default=3000, help="the page's port (default 3000)")
    playground_cmd.add_argument("--reset", action="store_true", help="start over (deletes .playground/)")
    playground_cmd.add_argument(
        "--empty", action="store_true", help="start a new playground without the example"
    )
    playground_cmd.set_defaults(run=playground)

    db_cmd = commands.add_parser("db", help="database commands")
    db_commands = db_cmd.add_subparsers(required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="apply migrations (serve does this too)").set_defaults(
        run=db_upgrade
    )
    db_commands.add_parser(
        "prune", help="delete delivered outbox jobs and old scheduled runs now (serve does it daily)"
    ).set_defaults(run=db_prune)

    export_cmd = commands.add_parser("export", help="export data")
    export_what = export_cmd.add_subparsers(required=True, metavar="WHAT")
    roadmap_cmd = export_what.add_parser("roadmap", help="the roadmap with linked requests")
    roadmap_cmd.add_argument("--format", choices=["csv", "md", "json"], default="md")
    roadmap_cmd.add_argument("--team", help="workspace (team) id; needed when the database holds several")
    roadmap_cmd.set_defaults(run=export_roadmap)

    manifest_cmd = commands.add_parser("manifest", help="print the Slack app manifest (YAML)")
    manifest_cmd.add_argument("--url", help="public base URL of this pmbot, e.g. https://pmbot.example.com")
    manifest_cmd.add_argument(
        "--socket-mode", action="store_true", help="a manifest for Socket Mode (no URLs)"
    )
    manifest_cmd.set_defaults(run=manifest)
    return parser


if __name__ == "__main__":
    sys.exit(main())
