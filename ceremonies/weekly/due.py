"""The weekly reports' share of run-due: status DMs, reports, recipients' copies."""

from __future__ import annotations

from ceremonies.core.due import DueJob
from ceremonies.weekly.delivery import run_due

JOB = DueJob("weekly", run_due)
