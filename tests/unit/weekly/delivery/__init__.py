"""Run-due for the weekly reports on the in-memory unit of work: status DM, report, copies.

The report is #team's (CTEAM), started by UOWNER in Europe/Berlin on Monday 7 December 2026
(ISO week 2026-W50), delivered Fridays 16:00 there (15:00 UTC), to UBOSS and UCTO. #team's
daily asks UOWNER and UDEV each weekday; UDEV is blocked from Thursday and misses Friday.
Messages are checked as the fake chat records them (template and context), never rendered.
"""
