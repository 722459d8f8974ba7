"""Reading settings from environment variables: each reader stops the process with one
clear line when a value is malformed, rather than letting the site start half-configured."""

import os
from typing import NoReturn


def fail(message: str) -> NoReturn:
    """Refuse to start, with one line that says what to set."""
    raise SystemExit(f"Configuration error: {message}")


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    value = value.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    fail(f"{name} must be one of 1/0, true/false, yes/no, on/off (got {value!r}).")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        fail(f"{name} must be a whole number (got {value!r}).")


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return float(value)
    except ValueError:
        fail(f"{name} must be a number of seconds (got {value!r}).")


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]
