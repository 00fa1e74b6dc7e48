"""Sizes, durations and times as docker prints them (shell.render.units).

docker/go-units v0.5.0 HumanDuration and HumanSizeWithPrecision, Go's time formatting and docker/cli's
formatter.Ellipsis.
"""
from __future__ import annotations

import calendar
import os
import time

import pytest

from shell.render.units import (ellipsis, go_time_string, human_duration, human_size,
                                rfc3339_local, since)

MINUTE, HOUR, DAY = 60, 3600, 86400


# --- human_size ------------------------------------------------------------------------

@pytest.mark.parametrize("size, text", [
    (0, "0B"), (12, "12B"), (999, "999B"), (1000, "1kB"), (1500, "1.5kB"), (8704, "8.7kB"),
    (2131015, "2.13MB"), (1984234, "1.98MB"), (999500, "1e+03kB"), (1234567890, "1.23GB"),
    (10**12, "1TB"), (10**15, "1PB"), (10**18, "1EB"), (10**21, "1ZB"), (10**24, "1YB"),
    (10**27, "1e+03YB"), (4_260_000, "4.26MB"), (999_999, "1e+03kB"), (100_000, "100kB"),
    (1_000_000, "1MB"), (12.5, "12.5B"),
])
def test_human_size_precision_3(size, text):
    assert human_size(size) == text
    assert human_size(size, 3) == text


@pytest.mark.parametrize("size, text", [
    (2131015, "2.131MB"), (2140000, "2.14MB"), (999500, "999.5kB"), (1984234, "1.984MB"),
    (8704, "8.704kB"), (0, "0B"), (1234567890, "1.235GB"),
])
def test_human_size_precision_4(size, text):
    assert human_size(size, 4) == text


# --- human_duration --------------------------------------------------------------------

@pytest.mark.parametrize("seconds, text", [
    (-5, "Less than a second"),
    (0, "Less than a second"),
    (0.999, "Less than a second"),
    (1, "1 second"),
    (1.999, "1 second"),
    (2, "2 seconds"),
    (26, "26 seconds"),
    (59.99, "59 seconds"),
    (60, "About a minute"),
    (90, "About a minute"),
    (119, "About a minute"),
    (120, "2 minutes"),
    (59 * MINUTE + 59, "59 minutes"),
    (60 * MINUTE, "About an hour"),
    (89 * MINUTE, "About an hour"),          # 1.48 h rounds to 1
    (90 * MINUTE, "2 hours"),                # 1.5 h rounds to 2
    (5 * HOUR, "5 hours"),
    (47.4 * HOUR, "47 hours"),
    (47.6 * HOUR, "2 days"),                 # rounds to 48
    (48 * HOUR, "2 days"),
    (3 * DAY, "3 days"),
    (13 * DAY + 23 * HOUR, "13 days"),
    (14 * DAY, "2 weeks"),                   # 336 hours
    (335.6 * HOUR, "2 weeks"),               # rounds to 336
    (59 * DAY, "8 weeks"),
    (60 * DAY, "2 months"),                  # 1440 hours
    (364 * DAY, "12 months"),
    (729 * DAY, "24 months"),
    (730 * DAY, "2 years"),                  # 17520 hours
    (730 * DAY - 1, "1 years"),              # rounds up to 17520 hours, then truncated: sic
    (3 * 365 * DAY, "3 years"),
    (56 * 365 * DAY, "56 years"),
])
def test_human_duration(seconds, text):
    assert human_duration(seconds) == text


def test_since():
    assert since(1000.0, now=1026.5) == "26 seconds"
    assert since(1000.0, now=1000.0) == "Less than a second"
    assert since(time.time() - 3 * HOUR) == "3 hours"


# --- Go time strings -------------------------------------------------------------------

@pytest.fixture
def zone(monkeypatch):
    def use(name: str) -> None:
        if name != "UTC" and not os.path.exists(f"/usr/share/zoneinfo/{name}"):
            pytest.skip(f"no zoneinfo for {name} on this machine")
        monkeypatch.setenv("TZ", name)
        time.tzset()
    yield use
    monkeypatch.undo()
    time.tzset()


WINTER = calendar.timegm((2026, 11, 27, 20, 37, 26, 0, 0, 0))
SUMMER = calendar.timegm((2026, 7, 1, 8, 5, 9, 0, 0, 0))


def test_go_time_string_utc(zone):
    zone("UTC")
    assert go_time_string(WINTER) == "2026-11-27 20:37:26 +0000 UTC"
    assert go_time_string(WINTER + 0.9) == "2026-11-27 20:37:26 +0000 UTC"


def test_go_time_string_local_zone(zone):
    zone("Europe/Berlin")
    assert go_time_string(WINTER) == "2026-11-27 21:37:26 +0100 CET"
    assert go_time_string(SUMMER) == "2026-07-01 10:05:09 +0200 CEST"


def test_rfc3339_local(zone):
    zone("UTC")
    assert rfc3339_local(WINTER) == "2026-11-27T20:37:26Z"
    zone("Europe/Berlin")
    assert rfc3339_local(WINTER) == "2026-11-27T21:37:26+01:00"
    zone("America/New_York")
    assert rfc3339_local(SUMMER) == "2026-07-01T04:05:09-04:00"


# --- ellipsis (formatter.Ellipsis) -------------------------------------------------------

@pytest.mark.parametrize("text, width, expected", [
    ("sh", 20, "sh"),
    ("", 20, ""),
    ("x" * 20, 20, "x" * 20),
    ("x" * 21, 20, "x" * 19 + "…"),
    ("/bin/sh -c 'while true; do sleep 1; done'", 20, "/bin/sh -c 'while t…"),
    ("/bin/sh -c #(nop) ADD file:9598f0d380de74d25fa0d1b0b2fa9b8a5c17c5e6ea1d0fa1b0fd3e3b0f",
     45, "/bin/sh -c #(nop) ADD file:9598f0d380de74d25…"),
    ("my-volume-name-long", 15, "my-volume-name…"),
    ("héllo wörld, ünïcode", 20, "héllo wörld, ünïcode"),
    ("héllo wörld, ünïcode!", 20, "héllo wörld, ünïcod…"),
])
def test_ellipsis(text, width, expected):
    assert ellipsis(text, width) == expected


@pytest.mark.parametrize("text, width, expected", [
    # East Asian wide runes take two columns (docker's charWidth)
    ("日本語日本語日本語日本語", 20, "日本語日本語日本語…"),
    ("echo 日本語日本語日本語", 20, "echo 日本語日本語日…"),
    ("日本語日本語日本語日", 20, "日本語日本語日本語日"),     # exactly 20 columns
])
def test_ellipsis_counts_display_columns(text, width, expected):
    assert ellipsis(text, width) == expected
