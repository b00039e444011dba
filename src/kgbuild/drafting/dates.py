"""Dates the text gives relative to its publication ("on Sunday", "last month"), made absolute.

Absolute dates go through `normalize_date`; relative ones need the article's date and are
resolved at the precision they state: a weekday is the last such day on or before the
article's date, "last month" a year-month, "last year" a year.
"""
from __future__ import annotations

import datetime as dt
import re

from ..importers.common import normalize_date

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_RELATIVE = re.compile(r"\b(yesterday|today|tomorrow|(last|next|this) (week|month|year)|"
                       r"(last |on |this )?(monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b", re.I)


def _shift_month(day: dt.date, months: int) -> str:
    index = day.year * 12 + day.month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def resolve(text: str, published: str | None) -> str | None:
    """ISO 8601 for a date phrase, or None when it is not one (or needs a date the article lacks)."""
    absolute = normalize_date(text.strip())
    if absolute or not published or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", published):
        return absolute
    match = _RELATIVE.search(text)
    if match is None:
        return None
    day = dt.date.fromisoformat(published)
    phrase = match.group(1).lower()
    fixed = {"yesterday": -1, "today": 0, "tomorrow": 1}
    if phrase in fixed:
        return (day + dt.timedelta(days=fixed[phrase])).isoformat()
    if match.group(3):
        step = {"last": -1, "next": 1, "this": 0}[match.group(2).lower()]
        unit = match.group(3).lower()
        if unit == "week":
            return (day + dt.timedelta(weeks=step)).strftime("%G-W%V")
        return _shift_month(day, step) if unit == "month" else f"{day.year + step:04d}"
    weekday = WEEKDAYS.index(match.group(5).lower())
    return (day - dt.timedelta(days=(day.weekday() - weekday) % 7)).isoformat()
