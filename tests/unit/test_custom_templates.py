"""CUSTOM_TEMPLATES_DIR: a deployment's own templates, sandboxed, never fatal."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.rendering import Renderer
from tests.unit.weekly.template_cases import WEEKLY_MESSAGES

CONTEXT = WEEKLY_MESSAGES["weekly/report"]
DEFAULT = Renderer().render("weekly/report", CONTEXT)


def custom(tmp_path: Path, text: str, name: str = "weekly/report.json.j2") -> Renderer:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    failures: list[tuple[str, str]] = []
    renderer = Renderer(custom_dir=tmp_path, on_custom_failure=lambda t, r: failures.append((t, r)))
    renderer.failures = failures  # type: ignore[attr-defined]
    return renderer


def test_a_working_custom_report_replaces_the_default(tmp_path: Path) -> None:
    renderer = custom(
        tmp_path,
        '{% import "weekly/_reasons.j2" as r %}'
        '{{ {"text": "Ours " ~ report.week.label, "blocks": [{"type": "section", "text": '
        '{"type": "mrkdwn", "text": r.status_line(report.status, report.proposed) ~ " "'
        " ~ (report.highlights | safe_text | truncate_to(100))}}]} | tojson }}",
    )
    payload = renderer.render("weekly/report", CONTEXT)
    assert payload["text"] == "Ours 2026-W49"
    assert payload["blocks"][0]["text"]["text"].startswith(":large_yellow_circle: *At risk*")
    assert renderer.failures == []  # type: ignore[attr-defined]
    # Other templates still come from the defaults.
    assert renderer.render("weekly/help", {}) == Renderer().render("weekly/help", {})


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"text": {{ report.week.label | tojson }', "syntax error"),
        ("{{ ''.__class__.__mro__ }}", "SecurityError"),
        ("{{ report.__class__.__init__.__globals__ }}", "SecurityError"),
        ('{% include "../../etc/passwd" %}', "not found"),
        ('{% include "/etc/passwd" %}', "not found"),
        ("{{ no_such_thing.at_all }}", "UndefinedError"),
        ("not json at all", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ('{"text": "x", "blocks": [{"type": "section"}]}', "not valid for Slack"),
        ('{"text": "<!channel> hello"}', "not valid for Slack"),
        ("{{ 1 / 0 }}", "ZeroDivisionError"),
    ],
)
def test_a_broken_custom_template_falls_back_to_the_default(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, text: str, reason: str
) -> None:
    renderer = custom(tmp_path, text)
    with caplog.at_level(logging.WARNING, logger="bot.rendering"):
        payload = renderer.render("weekly/report", CONTEXT)
    assert payload == DEFAULT
    ((name, why),) = renderer.failures  # type: ignore[attr-defined]
    assert name == "weekly/report.json.j2"
    assert reason in why and len(why) <= 300 and "\n" not in why
    (record,) = [r for r in caplog.records if r.name == "bot.rendering"]
    assert record.levelno == logging.WARNING and record.exc_info is None
    assert "root:" not in why  # nothing of /etc/passwd


def test_a_custom_view_and_text_fall_back_too(tmp_path: Path) -> None:
    renderer = custom(
        tmp_path, '{"type": "modal", "blocks": "no"}', "weekly/settings_modal.json.j2"
    )
    (tmp_path / "weekly" / "trend_chart_title.txt.j2").write_text("{{ ''.__class__ }}")
    context = WEEKLY_MESSAGES["weekly/settings_summary#started"]
    view = renderer.view(
        "weekly/settings_modal",
        {"settings": context["settings"], "report_id": 7, "channel_id": "C1"},
    )
    assert view["callback_id"] == "weekly_settings"
    assert renderer.text("weekly/trend_chart_title", title="T") == "T — last 8 weeks"
    assert [name for name, _ in renderer.failures] == [  # type: ignore[attr-defined]
        "weekly/settings_modal.json.j2",
        "weekly/trend_chart_title.txt.j2",
    ]


def test_a_failing_callback_does_not_stop_the_message(tmp_path: Path) -> None:
    (tmp_path / "weekly").mkdir()
    (tmp_path / "weekly" / "report.json.j2").write_text("{{ oops")

    def explode(name: str, reason: str) -> None:
        raise RuntimeError("DM failed")

    renderer = Renderer(custom_dir=tmp_path, on_custom_failure=explode)
    assert renderer.render("weekly/report", CONTEXT) == DEFAULT


def test_without_a_custom_dir_nothing_changes() -> None:
    assert Renderer().custom_env is None
    assert Renderer(custom_dir=None).render("weekly/report", CONTEXT) == DEFAULT
