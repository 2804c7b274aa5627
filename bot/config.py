"""Settings, read once from the environment or `.env` (names are a contract: see README)."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_QUIET_RE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


class Settings(BaseSettings):
    """Every setting the bot reads; a wrong value stops start-up naming the setting."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True)

    DATABASE_URL: str = "sqlite:///data/commune.db"
    # The commune this process serves, by its data file's commune.id; empty: the database's only one
    COMMUNE_ID: str = Field(default="", pattern=r"^([a-z0-9][a-z0-9-]{0,79})?$")
    TELEGRAM_BOT_TOKEN: str = ""
    TELEGRAM_API_BASE_URL: str = "https://api.telegram.org/bot"
    TELEGRAM_WEBHOOK_URL: str = ""
    TELEGRAM_WEBHOOK_SECRET: str = ""
    TELEGRAM_MAX_PER_SECOND: float = Field(default=30, ge=0)
    TELEGRAM_GROUP_MAX_PER_MINUTE: float = Field(default=20, ge=0)
    TELEGRAM_PRIVATE_MAX_PER_SECOND: float = Field(default=1, ge=0)
    TELEGRAM_POLL_TIMEOUT: int = Field(default=25, ge=0, le=50)
    ZALO_BOT_TOKEN: str = ""
    ZALO_API_BASE_URL: str = "https://bot-api.zaloplatforms.com"
    ZALO_WEBHOOK_URL: str = ""
    ZALO_WEBHOOK_SECRET: str = ""
    ZALO_GROUP_SEND: bool = False  # Bot Platform groups are closed to bots (2026): on once Zalo opens them
    ZALO_MAX_PER_SECOND: float = Field(default=20, ge=0)  # no published limit: throttle, 0 lifts it
    ZALO_PRIVATE_MAX_PER_SECOND: float = Field(default=1, ge=0)  # per chat
    ZALO_POLL_INTERVAL: float = Field(default=1.0, ge=0, le=30)  # seconds between getUpdates calls at most
    ZALO_OA_APP_ID: str = ""  # the Official Account's app: with the secret key, turns the OA channel on
    ZALO_OA_SECRET_KEY: str = ""
    ZALO_OA_API_BASE_URL: str = "https://openapi.zalo.me"
    ZALO_OA_OAUTH_URL: str = "https://oauth.zaloapp.com"
    WEBCHAT_ENABLED: bool | None = None  # empty: on only in the embedded demo (no messenger token)
    WEBCHAT_BUTTONS: bool = True  # false: the web chat shows choices as numbered lines, as on Zalo
    LINK_SIGNING_KEY: str = ""  # signs photo links; empty: derived from the tokens (same in every process)
    PUBLIC_BASE_URL: str = ""  # e.g. https://xa.example.vn: links to pages, feeds and signed photos
    WEB_HOST: str = "127.0.0.1"
    WEB_PORT: int = Field(default=8080, ge=0, le=65535)
    TIMEZONE: str = "Asia/Ho_Chi_Minh"
    QUIET_HOURS: str = "21:30-06:00"
    DEMO_DATA: bool = True
    PETITION_STATUS_ANSWER_WORKDAYS: int = Field(default=10, ge=1, le=60)
    PETITION_RESOLVE_WORKDAYS: int = Field(default=15, ge=1, le=120)
    KHIEU_NAI_ACCEPT_DAYS: int = Field(default=10, ge=1, le=60)
    KHIEU_NAI_RESOLVE_DAYS: int = Field(default=30, ge=1, le=120)
    TO_CAO_TRIAGE_WORKDAYS: int = Field(default=7, ge=1, le=30)
    TO_CAO_RESOLVE_DAYS: int = Field(default=30, ge=1, le=120)
    DEADLINE_REMIND_WORKDAYS: int = Field(default=2, ge=0, le=10)
    MAX_PHOTO_MB: int = Field(default=10, ge=1, le=50)
    DIGEST_WEEKDAY: int = Field(default=0, ge=0, le=6)  # 0 = Monday
    DIGEST_HOUR: int = Field(default=7, ge=0, le=23)
    POSTS_TICK_SECONDS: float = Field(default=10, gt=0, le=300)
    LOG_LEVEL: str = "INFO"
    BACKUP_KEY: str = ""
    BACKUP_KEY_FILE: str = ""
    # use the bundled sentence-embedding model in answering (where its package is installed: the
    # `semantic` extra, x86-64 Linux); false for very small machines
    SEMANTIC_SEARCH: bool = True

    @field_validator("DATABASE_URL")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgresql://", "postgres://", "postgresql+")):
            raise ValueError("must start with sqlite:/// or postgresql://")
        return value

    @field_validator(
        "TELEGRAM_API_BASE_URL", "ZALO_API_BASE_URL", "ZALO_OA_API_BASE_URL", "ZALO_OA_OAUTH_URL"
    )
    @classmethod
    def _base_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value

    @field_validator("WEBCHAT_ENABLED", mode="before")
    @classmethod
    def _auto(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value  # empty: automatic

    @field_validator("PUBLIC_BASE_URL")
    @classmethod
    def _public_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must be empty or an http(s):// address, e.g. https://xa.example.vn")
        return value.rstrip("/")

    @field_validator("TELEGRAM_WEBHOOK_URL", "ZALO_WEBHOOK_URL")
    @classmethod
    def _webhook_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must be empty (long polling) or an http(s):// URL")
        return value

    @field_validator("ZALO_WEBHOOK_SECRET")
    @classmethod
    def _zalo_secret(cls, value: str) -> str:
        if value and len(value) < 8:
            raise ValueError("Zalo needs 8 to 256 characters")
        return value

    @field_validator("TELEGRAM_WEBHOOK_SECRET", "ZALO_WEBHOOK_SECRET")
    @classmethod
    def _secret(cls, value: str) -> str:
        if value and not _SECRET_RE.match(value):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("TELEGRAM_BOT_TOKEN")
    @classmethod
    def _token(cls, value: str) -> str:
        if value and not re.match(r"^\d+:[\w-]+$", value):
            raise ValueError("does not look like a bot token (digits:letters)")
        return value

    @field_validator("BACKUP_KEY")
    @classmethod
    def _backup_key(cls, value: str) -> str:
        problem = backup_key_problem(value) if value.strip() else None
        if problem:
            raise ValueError(problem)
        return value.strip()

    @field_validator("TIMEZONE")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("QUIET_HOURS")
    @classmethod
    def _quiet_hours(cls, value: str) -> str:
        if value and parse_quiet_hours(value) is None:
            raise ValueError("must look like 21:30-06:00, or be empty")
        return value

    @property
    def url_prefix(self) -> str:
        """Where this commune's pages and webhooks live: "/<COMMUNE_ID>" when several communes share
        a deployment behind one address, the root for a one-commune deployment."""
        return f"/{self.COMMUNE_ID}" if self.COMMUNE_ID else ""

    @property
    def tz(self) -> ZoneInfo:
        """The commune's time zone."""
        return ZoneInfo(self.TIMEZONE)

    @property
    def link_key(self) -> bytes:
        """The key of signed photo links: the setting, or one derived from this deployment's secrets."""
        if self.LINK_SIGNING_KEY:
            return self.LINK_SIGNING_KEY.encode()
        seed = "|".join((self.TELEGRAM_BOT_TOKEN, self.ZALO_BOT_TOKEN, self.DATABASE_URL, "links"))
        return hashlib.sha256(seed.encode()).digest()

    @property
    def telegram_webhook_secret(self) -> str:
        """The secret Telegram sends with each webhook call (see `_webhook_secret`)."""
        return _webhook_secret(self.TELEGRAM_WEBHOOK_SECRET, "telegram", self.TELEGRAM_BOT_TOKEN)

    @property
    def zalo_webhook_secret(self) -> str:
        """The secret Zalo sends with each webhook call (see `_webhook_secret`)."""
        return _webhook_secret(self.ZALO_WEBHOOK_SECRET, "zalo", self.ZALO_BOT_TOKEN)

    @property
    def webchat_on(self) -> bool:
        """The web chat runs when asked to, or by default in the embedded demo (no messenger token)."""
        if self.WEBCHAT_ENABLED is not None:
            return self.WEBCHAT_ENABLED
        return self.embedded_demo

    @property
    def embedded_demo(self) -> bool:
        """No messenger configured: the web chat is on by default and the console's login codes
        are printed in the terminal running the bot (no chat could carry them)."""
        return not (self.TELEGRAM_BOT_TOKEN or self.ZALO_BOT_TOKEN or self.ZALO_OA_APP_ID)

    @property
    def quiet_hours(self) -> tuple[time, time] | None:
        """The quiet window as (start, end), or None when turned off."""
        return parse_quiet_hours(self.QUIET_HOURS) if self.QUIET_HOURS else None


def _webhook_secret(setting: str, channel: str, token: str) -> str:
    """The setting, else one derived from the bot's token: every process serving one bot (a
    commune's two workers behind one address) must check the secret the last of them gave the
    messenger, so a secret made up per process would refuse the other's deliveries."""
    if setting:
        return setting
    digest = hashlib.sha256(f"{channel}-webhook|{token}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def parse_quiet_hours(value: str) -> tuple[time, time] | None:
    """Parse `HH:MM-HH:MM`; None when malformed."""
    match = _QUIET_RE.match(value.strip())
    if not match:
        return None
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        return None
    return time(h1, m1), time(h2, m2)


def backup_key_problem(key: str) -> str | None:
    """Why key is not a backup key (32 random bytes, URL-safe base64), or None when it is one."""
    try:
        raw = base64.urlsafe_b64decode(key.strip().encode("ascii"))
    except (ValueError, UnicodeError):
        raw = b""
    return None if len(raw) == 32 else "is not a backup key: make one with `python -m bot backup-key`"


class SettingsError(Exception):
    """A setting has a wrong value; the message names it."""


def load_settings(**overrides: object) -> Settings:
    """Read settings once; raise SettingsError naming each wrong setting."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            name = ".".join(str(p) for p in err["loc"]) or "settings"
            lines.append(f"Setting {name}: {err['msg']}")
        raise SettingsError("\n".join(lines)) from None
