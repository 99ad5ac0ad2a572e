"""What one run-due tick did for the dailies, counted for the operator."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TickReport:
    """What one tick did for the dailies (a DueReport)."""

    prompts_sent: int = 0
    prompts_recovered: int = 0
    prompts_missed: int = 0
    reminders_sent: int = 0
    answers_published: int = 0
    days_closed: int = 0
    failures: list[str] = field(default_factory=list)
    # (team_id, user_id) of everyone prompted: run-due refreshes their Home tabs.
    home_changed: list[tuple[str, str]] = field(default_factory=list)

    def figures(self) -> list[tuple[str, int]]:
        return [
            ("prompts sent", self.prompts_sent),
            ("recovered", self.prompts_recovered),
            ("missed", self.prompts_missed),
            ("reminders", self.reminders_sent),
            ("answers published", self.answers_published),
            ("days closed", self.days_closed),
        ]
