"""`pmbot export` on nothing says so; `pmbot db backup` copies a live SQLite database."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from tests.empty_databases import empty_database
from tests.test_config_cli import run_pmbot, run_pmbot_async

EXIT_UNAVAILABLE = 1


def test_export_from_a_database_that_does_not_exist_says_so_and_creates_nothing(tmp_path: Path) -> None:
    result = run_pmbot(tmp_path, "export", "roadmap")

    assert result.returncode == EXIT_UNAVAILABLE
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"pmbot: there is no database at {tmp_path / 'pmbot.db'} yet")
    assert "pmbot db upgrade" in line
    assert not (tmp_path / "pmbot.db").exists()


async def test_export_from_a_postgres_database_without_tables_says_so(tmp_path: Path) -> None:
    async with empty_database("postgres", tmp_path) as url:
        status, out, err = await run_pmbot_async(tmp_path, "export", "roadmap", DATABASE_URL=url)

    assert status == EXIT_UNAVAILABLE
    assert err.strip().splitlines() == [
        "pmbot: the database has no pmbot tables yet: `pmbot db upgrade` (or `pmbot serve`) creates them"
    ]
    assert out == ""


def test_export_from_a_database_without_workspaces_says_so(tmp_path: Path) -> None:
    assert run_pmbot(tmp_path, "db", "upgrade").returncode == 0

    result = run_pmbot(tmp_path, "export", "roadmap", "--format", "csv")

    assert result.returncode == EXIT_UNAVAILABLE
    assert (
        result.stderr.strip() == "pmbot: the database holds no workspace yet: there is no roadmap to export"
    )


def test_backup_copies_the_live_database(tmp_path: Path) -> None:
    assert run_pmbot(tmp_path, "db", "upgrade").returncode == 0
    with contextlib.closing(sqlite3.connect(tmp_path / "pmbot.db")) as live:
        live.execute("CREATE TABLE backup_probe (word TEXT)")
        live.execute("INSERT INTO backup_probe VALUES ('kept')")
        live.commit()
        revision = live.execute("SELECT version_num FROM alembic_version").fetchall()
        # The database stays open (and holds its WAL) while the backup runs, as under `pmbot serve`.
        result = run_pmbot(tmp_path, "db", "backup", "copy.db")
        again = run_pmbot(tmp_path, "db", "backup", "copy.db")

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("backed up sqlite+aiosqlite:///pmbot.db to copy.db (")
    with contextlib.closing(sqlite3.connect(tmp_path / "copy.db")) as copy:
        assert copy.execute("SELECT word FROM backup_probe").fetchall() == [("kept",)]
        assert copy.execute("SELECT version_num FROM alembic_version").fetchall() == revision
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert again.returncode == EXIT_UNAVAILABLE and "exists already" in again.stderr


def test_backup_of_postgres_points_to_pg_dump(tmp_path: Path) -> None:
    result = run_pmbot(
        tmp_path, "db", "backup", "x.dump", DATABASE_URL="postgresql://postgres@127.0.0.1/nothing"
    )

    assert result.returncode == EXIT_UNAVAILABLE
    assert "pg_dump" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.dump").exists()
