"""--since/--until read as the docker CLI reads them (moby's GetTimestamp): durations,
RFC 3339 times and dates with and without a zone, Unix seconds, and Go's words for
what does not parse."""
from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shell.cli import timestamps

NOW = 1_700_000_000.0
UTC_2020 = 1577836800          # 2020-01-01T00:00:00Z


def local(seconds: float) -> float:
    """A time written without a zone is in the zone the machine is in now."""
    return seconds - time.localtime(NOW).tm_gmtoff


@pytest.mark.parametrize("text, want", [
    ("2020-01-01", local(UTC_2020)),
    ("2020-01-01T10", local(UTC_2020 + 36000)),
    ("2020-01-01T10:30", local(UTC_2020 + 37800)),
    ("2020-01-01T10:30:05", local(UTC_2020 + 37805)),
    ("2020-01-01T10:30:05.25", local(UTC_2020 + 37805.25)),
    ("2020-01-01Z", UTC_2020),
    ("2020-01-01+01:00", UTC_2020 - 3600),
    ("2020-01-01T10Z", UTC_2020 + 36000),
    ("2020-01-01T10:30+02:00", UTC_2020 + 37800 - 7200),
    ("2020-01-01T10:30:05Z", UTC_2020 + 37805),
    ("2020-01-01T10:30:05.5-01:30", UTC_2020 + 37805.5 + 5400),
    ("2020-01-01T10:30:05.123456789999Z", UTC_2020 + 37805.123456789),
    ("2020-02-29", local(1582934400)),
    ("0000-01-01Z", -62167219200),
    ("1600000000", 1600000000),
    ("1600000000.25", 1600000000.25),
    ("0", 0),
    ("10m", NOW - 600),
    ("1h30m", NOW - 5400),
])
def test_forms_docker_takes(text, want):
    assert timestamps.parse(text, NOW) == pytest.approx(want, abs=1e-6)


@pytest.mark.parametrize("text, message", [
    ("2020-13-01", 'parsing time "2020-13-01": month out of range'),
    ("2021-02-29", 'parsing time "2021-02-29": day out of range'),
    ("2020-04-31T10:00Z", 'parsing time "2020-04-31T10:00Z": day out of range'),
    ("2020-01-01T24", 'parsing time "2020-01-01T24": hour out of range'),
    ("2020-01-01T10:60", 'parsing time "2020-01-01T10:60": minute out of range'),
    ("2020-1-01", 'parsing time "2020-1-01" as "2006-01-02": cannot parse "1-01" as "01"'),
    ("20-01-01", 'parsing time "20-01-01" as "2006-01-02": cannot parse "20-01-01" as "2006"'),
    ("2020-01-01x", 'parsing time "2020-01-01x": extra text: "x"'),
    # the zone's colon is taken off the count even when the zone has none (as Go does)
    ("2020-01-01T10:00+2", 'parsing time "2020-01-01T10:00+2" as "2006-01-02T15Z07:00": '
                          'cannot parse ":00+2" as "Z07:00"'),
    ("-5", 'parsing time "-5" as "2006-01-02": cannot parse "-5" as "2006"'),
    ("soon", 'failed to parse value as time or duration: "soon"'),
    ("1e5", 'failed to parse value as time or duration: "1e5"'),
    ("", 'failed to parse value as time or duration: ""'),
    ("１２３", 'failed to parse value as time or duration: "１２３"'),
])
def test_what_docker_refuses_in_gos_words(text, message):
    with pytest.raises(ValueError) as e:
        timestamps.parse(text, NOW)
    assert str(e.value) == message


@settings(max_examples=300, deadline=200)
@given(st.text(alphabet=st.sampled_from("0123456789-:.TZz+ ,hms\0é"), max_size=40) |
       st.text(max_size=40))
def test_anything_parses_or_is_refused_in_words(text):
    try:
        value = timestamps.parse(text, NOW)
    except ValueError as e:
        assert str(e)
    else:
        assert isinstance(value, float)
