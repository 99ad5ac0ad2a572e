"""The bare Bolt app bench/ack.py compares against: it only acks `/daily`.

Served by the same WSGI wrapper and waitress server as the bot, in a process of its own.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.server import HttpServer, make_wsgi_app


def main() -> None:
    app = App(
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        token_verification_enabled=False,
        client=WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]),
    )

    @app.command("/daily")
    def on_daily(ack: Ack) -> None:
        ack()

    HttpServer(
        make_wsgi_app(app, lambda: True), "127.0.0.1", int(os.environ["PORT"])
    ).serve_forever()


if __name__ == "__main__":
    main()
