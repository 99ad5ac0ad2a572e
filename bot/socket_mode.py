"""Socket Mode, with the same acks-first rule as HTTP: leftovers wait while an envelope is acked."""

from __future__ import annotations

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest

from bot import metrics
from bot.ack_first import AckFirst, Stopping


class AcksFirstSocketModeHandler(SocketModeHandler):
    def __init__(self, app: App, app_token: str, gate: AckFirst) -> None:
        super().__init__(app, app_token)
        self.gate = gate

    def handle(self, client: BaseSocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        try:
            with self.gate.answering(), metrics.ACK_SECONDS.time():
                super().handle(client, req)  # type: ignore[arg-type]
        except Stopping:
            return  # not acked: Slack sends the envelope again, to the next process
