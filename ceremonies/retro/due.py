"""The retro's share of run-due: asking owners how their actions went, on the revisit date."""

from __future__ import annotations

from ceremonies.core.due import DueJob
from ceremonies.retro.actions import send_revisits

JOB = DueJob("retro", send_revisits)
