"""The daily's share of run-due: prompts, parent messages, reminders, answers and day closes."""

from __future__ import annotations

from ceremonies.core.due import DueJob
from ceremonies.daily.delivery import run_due

JOB = DueJob("daily", run_due)
