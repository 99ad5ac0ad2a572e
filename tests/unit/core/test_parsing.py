"""What users may type into /daily commands, and what they are told when it is wrong."""

from __future__ import annotations

from datetime import date, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.rendering import Renderer
from ceremonies.core.parsing import (
    InvalidInput,
    format_weekdays,
    parse_clock_time,
    parse_country,
    parse_date_range,
    parse_days_count,
    parse_questions,
    parse_weekdays,
)
from ceremonies.core.time_model import DateRange

TODAY = date(2026, 12, 20)
MON_FRI = frozenset(range(5))


RENDERER = Renderer()


def shown(error: InvalidInput) -> str:
    """What the user reads: the error rendered through the real template."""
    return RENDERER.text("common/invalid", code=error.code, **error.params)


def test_invalid_input_is_a_value_error_with_a_code_and_params() -> None:
    err = InvalidInput("time_invalid", input="25:99")
    assert isinstance(err, ValueError)
    assert (err.code, err.params) == ("time_invalid", {"input": "25:99"})
    assert str(err) == "time_invalid(input='25:99')"  # for logs, never shown to users
    assert str(InvalidInput("time_empty")) == "time_empty"
    assert shown(err) == "`25:99` is not a time of day. Use 24-hour HH:MM, e.g. `09:30`."


def test_an_unknown_code_still_reads_as_a_sentence() -> None:
    assert shown(InvalidInput("no_such_code")).endswith("nothing was changed.")


# --- clock time --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9:30", time(9, 30)),
        ("09:30", time(9, 30)),
        ("17:05", time(17, 5)),
        ("0:00", time(0, 0)),
        ("23:59", time(23, 59)),
        ("  10:00 ", time(10, 0)),
    ],
)
def test_clock_time_accepted(text: str, expected: time) -> None:
    assert parse_clock_time(text) == expected


@pytest.mark.parametrize(
    "text",
    ["25:99", "24:00", "12:60", "9", "9.30pm", "9:30pm", "9:3", "09:300", "930", "noon", "-1:00"],
)
def test_clock_time_rejected_names_input_and_format(text: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_clock_time(text)
    message = shown(exc.value)
    assert f"`{text}` is not a time of day" in message
    assert "24-hour HH:MM" in message and "`09:30`" in message


def test_clock_time_exact_message_and_empty() -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_clock_time("25:99")
    assert shown(exc.value) == "`25:99` is not a time of day. Use 24-hour HH:MM, e.g. `09:30`."
    with pytest.raises(InvalidInput) as exc:
        parse_clock_time("   ")
    assert "Please give a time of day" in shown(exc.value)


# --- weekdays ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mon,tue,wed,thu,fri", MON_FRI),
        ("Mon Tue", {0, 1}),
        ("mon-fri", MON_FRI),
        ("Mon - Fri", MON_FRI),
        ("mon–fri", MON_FRI),
        ("mon..wed", {0, 1, 2}),
        ("monday,friday", {0, 4}),
        ("MONDAY, Wednesday,  friday", {0, 2, 4}),
        ("weekdays", MON_FRI),
        ("weekend", {5, 6}),
        ("daily", set(range(7))),
        ("tues thurs", {1, 3}),
        ("fri-mon", {4, 5, 6, 0}),  # wraps past Sunday
        ("wed-wed", {2}),
        ("mon,mon", {0}),
        ("weekdays sat", {0, 1, 2, 3, 4, 5}),
        ("пн,ср,пт", {0, 2, 4}),  # Russian
        ("ПН, СР, ПТ", {0, 2, 4}),
        ("пн-пт", MON_FRI),
        ("понедельник, среду", {0, 2}),
        ("будни", MON_FRI),
        ("月,水,金", {0, 2, 4}),  # Japanese
        ("月、水、金", {0, 2, 4}),
        ("月〜金", MON_FRI),
        ("月曜日 金曜日", {0, 4}),
        ("平日", MON_FRI),
    ],
)
def test_weekdays_accepted(text: str, expected: set[int]) -> None:
    assert parse_weekdays(text) == frozenset(expected)


@pytest.mark.parametrize(
    ("text", "bad"),
    [("mon,funday", "funday"), ("mon-frday", "frday"), ("xyz", "xyz"), ("mo", "mo")],
)
def test_weekdays_unknown_name_is_named_and_valid_names_listed(text: str, bad: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_weekdays(text)
    message = shown(exc.value)
    assert f"`{bad}` is not a day of the week" in message
    assert "mon, tue, wed, thu, fri, sat, sun" in message
    assert "`mon-fri`" in message and "`weekdays`" in message


@pytest.mark.parametrize("text", ["", "  ", ", ,"])
def test_weekdays_empty_rejected(text: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_weekdays(text)
    assert "at least one working day" in shown(exc.value)


def test_weekdays_malformed_range() -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_weekdays("mon-wed-fri")
    assert "`mon-wed-fri` is not a range of days" in shown(exc.value)
    with pytest.raises(InvalidInput) as exc:
        parse_weekdays("mon-")
    assert "`mon-` is not a range" in shown(exc.value)


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (MON_FRI, "Mon–Fri"),
        ({0, 2, 4}, "Mon, Wed, Fri"),
        ({5, 6}, "Sat, Sun"),
        ({0, 1, 2, 5, 6}, "Mon–Wed, Sat, Sun"),
        (set(range(7)), "Mon–Sun"),
        ({3}, "Thu"),
        (set(), "no days"),
    ],
)
def test_format_weekdays(days: set[int], expected: str) -> None:
    assert format_weekdays(frozenset(days)) == expected


def test_format_weekdays_rejects_out_of_range() -> None:
    with pytest.raises(ValueError, match=r"0\.\.6"):
        format_weekdays(frozenset({7}))


@settings(max_examples=200, deadline=None)
@given(st.frozensets(st.integers(0, 6), min_size=1))
def test_format_then_parse_round_trips(days: frozenset[int]) -> None:
    assert parse_weekdays(format_weekdays(days)) == days


# --- date ranges -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2026-12-21..2027-01-03", date(2026, 12, 21), date(2027, 1, 3)),
        ("2026-12-21 .. 2027-01-03", date(2026, 12, 21), date(2027, 1, 3)),
        ("2026-12-21 to 2027-01-03", date(2026, 12, 21), date(2027, 1, 3)),
        ("2026-12-21 - 2027-01-03", date(2026, 12, 21), date(2027, 1, 3)),
        ("2026-12-21–2027-01-03", date(2026, 12, 21), date(2027, 1, 3)),
        ("2026-12-24", date(2026, 12, 24), date(2026, 12, 24)),
        ("2026-12-24..2026-12-24", date(2026, 12, 24), date(2026, 12, 24)),
        ("today", TODAY, TODAY),
        ("Tomorrow", date(2026, 12, 21), date(2026, 12, 21)),
        ("today..2026-12-31", TODAY, date(2026, 12, 31)),
        ("today to tomorrow", TODAY, date(2026, 12, 21)),
        ("2028-02-29", date(2028, 2, 29), date(2028, 2, 29)),
    ],
)
def test_date_range_accepted(text: str, start: date, end: date) -> None:
    assert parse_date_range(text, TODAY) == DateRange(start, end)


def test_date_range_end_before_start_names_both_dates() -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_date_range("2027-01-03..2026-12-21", TODAY)
    message = shown(exc.value)
    assert "`2026-12-21`" in message and "`2027-01-03`" in message
    assert "before it starts" in message
    assert "`2026-12-21..2027-01-03`" in message  # the corrected form
    with pytest.raises(InvalidInput) as exc:
        parse_date_range("tomorrow..today", TODAY)
    assert "before it starts" in shown(exc.value)


@pytest.mark.parametrize(
    ("text", "bad", "reason"),
    [
        ("2026-13-01", "2026-13-01", "is not a valid calendar date"),
        ("2026-02-30", "2026-02-30", "is not a valid calendar date"),
        ("2027-02-29..2027-03-01", "2027-02-29", "is not a valid calendar date"),
        ("2026-12-21..2027-1-3", "2027-1-3", "is not a date"),
        ("24.12.2026", "24.12.2026", "is not a date"),
        ("20261224", "20261224", "is not a date"),
        ("next week", "next week", "is not a date"),
        ("yesterday..today", "yesterday", "is not a date"),
    ],
)
def test_date_range_malformed_date_is_named(text: str, bad: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_date_range(text, TODAY)
    message = shown(exc.value)
    assert f"`{bad}` {reason}" in message
    assert "YYYY-MM-DD" in message


@pytest.mark.parametrize("text", ["2026-12-21..", "..2026-12-21", "a..b..c"])
def test_date_range_malformed_range(text: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_date_range(text, TODAY)
    assert f"`{text}` is not a date range" in shown(exc.value)
    assert "START..END" in shown(exc.value)


def test_date_range_empty() -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_date_range(" ", TODAY)
    assert "Please give a date or a date range" in shown(exc.value)


# --- country -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("DE", "DE"),
        ("de", "DE"),
        (" us ", "US"),
        ("In", "IN"),
        ("nz", "NZ"),
        ("GB", "GB"),
        ("uk", "GB"),  # what people type; not ISO but unambiguous
        ("none", None),
        ("OFF", None),
    ],
)
def test_country_accepted(text: str, expected: str | None) -> None:
    assert parse_country(text) == expected


@pytest.mark.parametrize("text", ["XX", "germany", "DEU", "zz", "1"])
def test_country_unknown_names_input_and_gives_examples(text: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_country(text)
    message = shown(exc.value)
    assert f"`{text}` is not a country code" in message
    assert "`DE`" in message and "`US`" in message and "`none`" in message


def test_country_empty() -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_country("")
    assert "Please give a country code" in shown(exc.value)


# --- questions ---------------------------------------------------------------


def test_questions_split_and_stripped() -> None:
    assert parse_questions(" What did you do? |What's next?  | Blockers? ") == (
        "What did you do?",
        "What's next?",
        "Blockers?",
    )
    assert parse_questions("Just one?") == ("Just one?",)
    assert len(parse_questions(" | ".join(f"Q{i}" for i in range(10)))) == 10
    assert parse_questions("x" * 150) == ("x" * 150,)


@pytest.mark.parametrize(
    ("text", "number", "total"),
    [("Q1 | | Q3", 2, 3), ("Q1 |", 2, 2), ("| Q2", 1, 2), ("Q1 || Q3", 2, 3)],
)
def test_questions_empty_one_is_located(text: str, number: int, total: int) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_questions(text)
    assert f"Question {number} of {total} is empty" in shown(exc.value)
    assert "`|`" in shown(exc.value)


@pytest.mark.parametrize("text", ["", "   "])
def test_questions_none_given(text: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_questions(text)
    assert "at least one question" in shown(exc.value)


def test_questions_too_many() -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_questions(" | ".join(f"Q{i}" for i in range(11)))
    assert "You gave 11 questions" in shown(exc.value)
    assert "at most 10" in shown(exc.value)


def test_questions_too_long_is_quoted_with_its_length() -> None:
    long_question = "Why " + "really " * 30 + "?"
    with pytest.raises(InvalidInput) as exc:
        parse_questions(f"Fine? | {long_question}")
    message = shown(exc.value)
    assert f"Question 2 (`{long_question[:20]}" in message
    assert f"is {len(long_question)} characters long" in message
    assert "150 characters or fewer" in message


def test_backticks_in_input_do_not_break_the_message_markup() -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_clock_time("`rm`")
    assert shown(exc.value).startswith("`'rm'` is not a time of day")


# --- day counts --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7", 7),
        ("14 days", 14),
        ("7d", 7),
        ("7 D", 7),
        ("1 day", 1),
        ("90", 90),
        (" 30days ", 30),
        ("007", 7),
    ],
)
def test_days_count_accepted(text: str, expected: int) -> None:
    assert parse_days_count(text) == expected


@pytest.mark.parametrize("text", ["0", "91", "120 days", "000", "9" * 5000])
def test_days_count_out_of_range(text: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_days_count(text)
    message = shown(exc.value)
    assert f"`{text[:20]}" in message
    assert "out of range" in message and "1 to 90" in message


@pytest.mark.parametrize("text", ["abc", "-3", "7 weeks", "1.5", "seven", "d7"])
def test_days_count_not_a_number(text: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_days_count(text)
    assert f"`{text}` is not a number of days" in shown(exc.value)
    assert "`14 days`" in shown(exc.value)


def test_days_count_empty() -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_days_count("")
    assert "Please give a number of days" in shown(exc.value)


def test_long_input_is_cut_in_the_message() -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_days_count("9" * 5000)
    assert shown(exc.value).startswith(f"`{'9' * 59}…` is out of range.")


def test_an_echoed_broadcast_mention_cannot_ping() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_clock_time("<!channel>")
    assert "<!" not in shown(caught.value)
