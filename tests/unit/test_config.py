from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from bot.config import SettingsError, load_settings


def test_defaults_are_the_embedded_setup(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir("/")  # no .env here
    settings = load_settings()
    assert settings.DATABASE_URL == "sqlite:///data/commune.db"
    assert settings.TELEGRAM_BOT_TOKEN == ""
    assert (settings.WEB_HOST, settings.WEB_PORT) == ("127.0.0.1", 8080)
    assert settings.TELEGRAM_MAX_PER_SECOND == 30
    assert settings.quiet_hours == (time(21, 30), time(6, 0))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TELEGRAM_MAX_PER_SECOND", "fast"),
        ("TELEGRAM_MAX_PER_SECOND", "-1"),
        ("WEB_PORT", "99999"),
        ("TIMEZONE", "Mars/Olympus"),
        ("QUIET_HOURS", "late"),
        ("DATABASE_URL", "mysql://x"),
        ("TELEGRAM_WEBHOOK_URL", "ftp://example.org/hook"),
        ("TELEGRAM_WEBHOOK_SECRET", "has spaces!"),
        ("TELEGRAM_BOT_TOKEN", "not-a-token"),
    ],
)
def test_a_wrong_value_stops_start_up_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as err:
        load_settings()
    assert f"Setting {name}" in str(err.value)


def test_empty_quiet_hours_turn_them_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUIET_HOURS", "")
    assert load_settings().quiet_hours is None


def test_the_cli_refuses_to_start_with_a_wrong_setting(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    monkeypatch.setenv("WEB_PORT", "abc")
    assert main(["run"]) == 2
    assert "WEB_PORT" in capsys.readouterr().err


async def test_the_communes_own_time_zone_wins_over_the_setting(migrated_sqlite: Path) -> None:
    """A server left on TIMEZONE=UTC must still show residents Vietnam's dates (the data file's zone)."""
    from zoneinfo import ZoneInfo

    from bot.app import local_zone
    from storage.importer import import_data, load_file
    from storage.store import Store
    from tests.conftest import MINI, NOW

    url = f"sqlite:///{migrated_sqlite}"
    settings = load_settings(DATABASE_URL=url, TIMEZONE="UTC")
    assert local_zone(settings) == ZoneInfo("UTC")  # nothing imported yet: the setting
    store = Store(url)
    try:
        await store.migrate()
        async with store.uow() as uow:
            await import_data(uow, load_file(MINI), NOW)
    finally:
        await store.close()
    assert local_zone(settings) == ZoneInfo("Asia/Ho_Chi_Minh")


def test_the_example_env_file_starts_the_bot_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An operator copies .env.example to .env: every line must be a valid setting."""
    import shutil

    shutil.copy(Path(__file__).resolve().parents[2] / ".env.example", tmp_path / ".env")
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.webchat_on and settings.PUBLIC_BASE_URL == ""
    assert load_settings(WEBCHAT_ENABLED="false").webchat_on is False
