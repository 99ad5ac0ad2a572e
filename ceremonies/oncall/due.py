"""The on-call rotations' share of run-due: handoffs, 24-hour notices, user groups."""

from __future__ import annotations

from ceremonies.core.due import DueJob
from ceremonies.oncall.handoffs import run_due

JOB = DueJob("oncall", run_due)
