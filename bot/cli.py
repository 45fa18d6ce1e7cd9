"""The `pmbot` command: serve, playground, db upgrade, db prune, db backup, manifest, export."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

import uvicorn
from sqlalchemy.exc import SQLAlchemyError

from bot.app import create_app
from bot.clock import SystemClock
from bot.config import ConfigError, Settings, load_settings
from bot.db_tools import NoDatabase, backup_sqlite, require_schema, require_sqlite_file
from bot.errors import StoreUnavailable
from bot.logs import configure_logging, uvicorn_log_config
from bot.manifest import ManifestError, create_app_link, manifest_yaml, public_url
from bot.probes import Probes
from bot.runtime import build_retention, build_services
from bot.services.roadmap.export import render
from bot.slack_auth import TokenWatch
from bot.socket_mode import SocketModeConnection
from bot.startup import check_database_writable, preflight
from bot.web import Companion, SlackWebApp
from storage.db import Database, DatabaseInUse
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
        for line in error.lines:
            print(f"pmbot: {line}", file=sys.stderr)
        return EXIT_CONFIG
    except NoDatabase as error:
        print(f"pmbot: {error}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except (OSError, SQLAlchemyError) as error:
        print(f"pmbot: the database did not answer: {_first_line(error)}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except StoreUnavailable as error:  # a write through the Writer: the database's own words are the cause
        print(f"pmbot: the database did not answer: {_first_line(error.__cause__ or error)}", file=sys.stderr)
        return EXIT_UNAVAILABLE


def serve(args: argparse.Namespace) -> int:
    """Serve Slack's requests over HTTP, or over Socket Mode with --socket-mode."""
    settings = load_settings(require_app_token=args.socket_mode)
    configure_logging(settings.LOG_LEVEL, settings.LOG_FORMAT)
    # Uvicorn shuts down on SIGTERM, then raises it again for the handler that was there before it:
    # this one ends the process with status 0, as process managers expect of a clean stop.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    services = build_services(settings)
    try:
        services.db.claim_sqlite_file()  # before anything else; held until the process exits
    except DatabaseInUse as error:
        print(f"pmbot: {error}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    except OSError:
        pass  # a folder pmbot cannot write to: the start-up checks below name it
    first_check = asyncio.run(preflight(settings, socket_mode=args.socket_mode))
    bolt = create_app(services)
    token = TokenWatch(services.client, first_check)
    socket = SocketModeConnection(bolt, settings) if args.socket_mode else None
    companions: list[Companion] = [token, socket] if socket else [token]
    probes = Probes(services, token=token, socket=socket)
    web = SlackWebApp(bolt, services, companions=companions, probes=probes)
    if socket:
        socket.answer_through(web.answer_slack)  # the same inbox path as HTTP requests
    config = uvicorn.Config(
        web,
        host=settings.HOST,
        port=settings.PORT,
        log_level=settings.LOG_LEVEL.lower(),
        log_config=uvicorn_log_config(),
        lifespan="on",
    )
    server = uvicorn.Server(config)
    server.run()
    return 0 if server.started else EXIT_UNAVAILABLE


def playground(args: argparse.Namespace) -> int:
    """Run pmbot against the Slack stand-in, used from a web page on loopback (no Slack needed)."""
    from bot.playground.run import Options, run  # imported here: serve never loads the stand-in

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return run(Options(port=args.port, reset=args.reset, empty=args.empty))


def db_upgrade(args: argparse.Namespace) -> int:
    """Apply the database migrations."""
    settings = _database_settings()
    configure_logging(settings.LOG_LEVEL, settings.LOG_FORMAT)
    check_database_writable(settings.DATABASE_URL)

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
    configure_logging(settings.LOG_LEVEL, settings.LOG_FORMAT)
    require_sqlite_file(settings.DATABASE_URL)

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


def db_backup(args: argparse.Namespace) -> int:
    """Copy the SQLite database, live, to a new file."""
    settings = _database_settings()
    size = backup_sqlite(settings.DATABASE_URL, Path(args.path))
    print(f"backed up {_redacted(settings.DATABASE_URL)} to {args.path} ({size:,} bytes)")
    return 0


def manifest(args: argparse.Namespace) -> int:
    """Print the Slack app manifest, or a link that creates the app from it."""
    if not args.socket_mode and not args.url:
        print("pmbot: manifest needs --url https://your-host (or --socket-mode)", file=sys.stderr)
        return EXIT_CONFIG
    try:
        url = None if args.socket_mode else public_url(args.url)
    except ManifestError as error:
        print(f"pmbot: {error}", file=sys.stderr)
        return EXIT_CONFIG
    if args.link:
        print(create_app_link(url, socket_mode=args.socket_mode))
    else:
        sys.stdout.write(manifest_yaml(url, socket_mode=args.socket_mode))
    return 0


def export_roadmap(args: argparse.Namespace) -> int:
    """Print the roadmap with its linked requests."""
    settings = _database_settings()
    require_sqlite_file(settings.DATABASE_URL)

    async def read() -> str:
        services = build_services(settings)
        try:
            await require_schema(services.db)
            team_id = args.team or await _only_team(services.db)
            return render(await services.roadmap.roadmap(team_id), args.format)
        finally:
            await services.db.dispose()

    sys.stdout.write(asyncio.run(read()))
    return 0


async def _only_team(db: Database) -> str:
    teams = await list_team_ids(db)
    if not teams:
        raise NoDatabase("the database holds no workspace yet: there is no roadmap to export")
    if len(teams) != 1:
        raise ConfigError(f"this database holds {len(teams)} workspaces; name one with --team (of: {teams})")
    return teams[0]


def _database_settings() -> Settings:
    # `db upgrade` needs no Slack credentials; placeholders satisfy the settings' validation.
    return load_settings(SLACK_BOT_TOKEN="xoxb-unused", SLACK_SIGNING_SECRET="unused")


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
    backup_cmd = db_commands.add_parser(
        "backup", help="copy the SQLite database, live, to PATH (PostgreSQL: use pg_dump)"
    )
    backup_cmd.add_argument("path", metavar="PATH", help="the new file to write the copy to")
    backup_cmd.set_defaults(run=db_backup)

    export_cmd = commands.add_parser("export", help="export data")
    export_what = export_cmd.add_subparsers(required=True, metavar="WHAT")
    roadmap_cmd = export_what.add_parser("roadmap", help="the roadmap with linked requests")
    roadmap_cmd.add_argument("--format", choices=["csv", "md", "json"], default="md")
    roadmap_cmd.add_argument("--team", help="workspace (team) id; needed when the database holds several")
    roadmap_cmd.set_defaults(run=export_roadmap)

    manifest_cmd = commands.add_parser("manifest", help="print the Slack app manifest (YAML), or --link")
    manifest_cmd.add_argument("--url", help="public base URL of this pmbot, e.g. https://pmbot.example.com")
    manifest_cmd.add_argument(
        "--socket-mode", action="store_true", help="a manifest for Socket Mode (no URLs)"
    )
    manifest_cmd.add_argument(
        "--link", action="store_true", help="print a link that opens Slack's Create App with it filled in"
    )
    manifest_cmd.set_defaults(run=manifest)
    return parser


if __name__ == "__main__":
    sys.exit(main())
