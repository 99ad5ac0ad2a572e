"""The bot as its own processes against the stand-in, as deployed: environment, start, health.

Used by the benchmarks and the end-to-end tests that kill or race real `app.py` processes.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import IO

from bot.demo.standin.harness import SIGNING_SECRET
from bot.demo.standin.models import BOT_TOKEN
from bot.demo.standin.server import FakeSlack

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bot_env(fake: FakeSlack, database_url: str, port: int) -> dict[str, str]:
    """The settings of a bot process talking to `fake`; none leak in from the caller's."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    return {
        **keep,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
        "DATABASE_URL": database_url,
        "PORT": str(port),
        "SCHEDULER_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
    }


def start_server(
    command: list[str],
    env: dict[str, str],
    port: int,
    *,
    stderr: IO[bytes] | int = subprocess.PIPE,
    timeout: float = 60.0,
) -> subprocess.Popen[bytes]:
    """Starts a server process (in the checkout) and returns once GET /healthz answers."""
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=stderr)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            said = process.stderr.read().decode()[-2000:] if process.stderr else ""
            raise RuntimeError(f"{command} ended with {process.returncode} at start: {said}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    process.wait()
    raise RuntimeError(f"{command} did not start within {timeout:.0f} s")
