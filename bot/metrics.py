"""The Prometheus metrics served at GET /metrics (prometheus_client's default registry,
which adds the process's own: CPU, memory, open files)."""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)

# A `*_created` timestamp beside every series doubles the page and tells an operator nothing.
disable_created_metrics()

TICKS = Counter("ceremony_ticks", "Ticks (run-due) finished, by outcome (ok, failed)", ["outcome"])
TICK_SECONDS = Histogram(
    "ceremony_tick_seconds",
    "How long a tick took",
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600),
)
WORK = Counter(
    "ceremony_work",
    "Work ticks did, by ceremony and what (prompts sent, reminders, handoffs, …)",
    ["ceremony", "what"],
)
MESSAGES_SENT = Counter("ceremony_messages_sent", "Messages posted, by template", ["kind"])
SLACK_CALLS = Counter(
    "ceremony_slack_calls",
    "Web API calls by method and status: ok, Slack's error code, ratelimited (a 429, retried)"
    " or unreachable",
    ["method", "status"],
)
ACK_SECONDS = Histogram(
    "ceremony_ack_seconds",
    "From a Slack request's arrival to its HTTP answer (Slack gives up after 3 s)",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5),
)
# What a tick took over from a crashed process is in WORK: ceremony "inbox", what "replayed".
INBOX_STORED = Counter("ceremony_inbox_stored", "Requests stored in the inbox before their ack")
# The receipt writer (bot/receipts.py): what part of an ack is spent storing it, and why.
INBOX_WAIT_SECONDS = Histogram(
    "ceremony_inbox_wait_seconds",
    "From a request handing its receipt to the writer to the receipt committed",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 3),
)
INBOX_BATCH_SECONDS = Histogram(
    "ceremony_inbox_batch_seconds",
    "How long one batch of receipts took to store (one transaction)",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 3),
)
INBOX_BATCH_RECEIPTS = Histogram(
    "ceremony_inbox_batch_receipts",
    "Receipts per batch the writer stored together",
    buckets=(1, 2, 4, 8, 16, 32, 64, 100),
)


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format, and its content type."""
    return generate_latest(), CONTENT_TYPE_LATEST
