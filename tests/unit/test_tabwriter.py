"""shell.render.tabwriter against Go's text/tabwriter and docker's fork of it.

GO_CASES is Go's own test table (src/text/tabwriter/tabwriter_test.go) minus
the FilterHTML and Escape cases, which docker never uses.  Upstream Go counts
runes, so those run with ``width=len``.  Docker's fork measures cells with
go-runewidth instead; DOCKER_WIDTHS were measured with `docker context ls`
(client 28.2.2) on contexts whose descriptions hold these strings.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shell.render.tabwriter import (
    ALIGN_RIGHT,
    DEBUG,
    DISCARD_EMPTY_COLUMNS,
    TabWriter,
    display_width,
    tabulate,
)

# (name, minwidth, tabwidth, padding, padchar, flags, src, expected)
GO_CASES = [
    ("1a", 8, 0, 1, ".", 0, "", ""),
    ("1a debug", 8, 0, 1, ".", DEBUG, "", ""),
    ("2", 8, 0, 1, ".", 0, "\n\n\n", "\n\n\n"),
    ("3", 8, 0, 1, ".", 0, "a\nb\nc", "a\nb\nc"),
    ("4a", 8, 0, 1, ".", 0, "\t", ""),
    ("4b", 8, 0, 1, ".", ALIGN_RIGHT, "\t", ""),
    ("5", 8, 0, 1, ".", 0, "*\t*", "*.......*"),
    ("5b", 8, 0, 1, ".", 0, "*\t*\n", "*.......*\n"),
    ("5c", 8, 0, 1, ".", 0, "*\t*\t", "*.......*"),
    ("5c debug", 8, 0, 1, ".", DEBUG, "*\t*\t", "*.......|*"),
    ("5d", 8, 0, 1, ".", ALIGN_RIGHT, "*\t*\t", ".......**"),
    ("6", 8, 0, 1, ".", 0, "\t\n", "........\n"),
    ("7a", 8, 0, 1, ".", 0, "a) foo", "a) foo"),
    ("7b", 8, 0, 1, " ", 0, "b) foo\tbar", "b) foo  bar"),
    ("7c", 8, 0, 1, ".", 0, "c) foo\tbar\t", "c) foo..bar"),
    ("7d", 8, 0, 1, ".", 0, "d) foo\tbar\n", "d) foo..bar\n"),
    ("7e", 8, 0, 1, ".", 0, "e) foo\tbar\t\n", "e) foo..bar.....\n"),
    ("8", 8, 0, 1, "*", 0, "Hello, world!\n", "Hello, world!\n"),
    ("9a", 1, 0, 0, ".", 0,
     "1\t2\t3\t4\n"
     "11\t222\t3333\t44444\n",
     "1.2..3...4\n"
     "11222333344444\n"),
    ("9c", 1, 0, 0, ".", 0,
     "1\t2\t3\t4\f"  # \f ends the line and flushes
     "11\t222\t3333\t44444\n",
     "1234\n"
     "11222333344444\n"),
    ("9c debug", 1, 0, 0, ".", DEBUG,
     "1\t2\t3\t4\f"
     "11\t222\t3333\t44444\n",
     "1|2|3|4\n"
     "---\n"
     "11|222|3333|44444\n"),
    ("10a", 5, 0, 0, ".", 0, "1\t2\t3\t4\n", "1....2....3....4\n"),
    ("10b", 5, 0, 0, ".", 0, "1\t2\t3\t4\t\n", "1....2....3....4....\n"),
    ("11", 8, 0, 1, ".", 0,
     "本\tb\tc\n"
     "aa\t本本本\tcccc\tddddd\n"
     "aaa\tbbbb\n",
     "本.......b.......c\n"
     "aa......本本本.....cccc....ddddd\n"
     "aaa.....bbbb\n"),
    ("12a", 8, 0, 1, " ", ALIGN_RIGHT,
     "a\tè\tc\t\n"
     "aa\tèèè\tcccc\tddddd\t\n"
     "aaa\tèèèè\t\n",
     "       a       è       c\n"
     "      aa     èèè    cccc   ddddd\n"
     "     aaa    èèèè\n"),
    ("12b", 2, 0, 0, " ", 0,
     "a\tb\tc\n"
     "aa\tbbb\tcccc\n"
     "aaa\tbbbb\n",
     "a  b  c\n"
     "aa bbbcccc\n"
     "aaabbbb\n"),
    ("12c", 8, 0, 1, "_", 0,
     "a\tb\tc\n"
     "aa\tbbb\tcccc\n"
     "aaa\tbbbb\n",
     "a_______b_______c\n"
     "aa______bbb_____cccc\n"
     "aaa_____bbbb\n"),
    ("13a", 4, 0, 1, "-", 0,
     "4444\t日本語\t22\t1\t333\n"
     "999999999\t22\n"
     "7\t22\n"
     "\t\t\t88888888\n"
     "\n"
     "666666\t666666\t666666\t4444\n"
     "1\t1\t999999999\t0000000000\n",
     "4444------日本語-22--1---333\n"
     "999999999-22\n"
     "7---------22\n"
     "------------------88888888\n"
     "\n"
     "666666-666666-666666----4444\n"
     "1------1------999999999-0000000000\n"),
    ("13b", 4, 0, 3, ".", 0,
     "4444\t333\t22\t1\t333\n"
     "999999999\t22\n"
     "7\t22\n"
     "\t\t\t88888888\n"
     "\n"
     "666666\t666666\t666666\t4444\n"
     "1\t1\t999999999\t0000000000\n",
     "4444........333...22...1...333\n"
     "999999999...22\n"
     "7...........22\n"
     "....................88888888\n"
     "\n"
     "666666...666666...666666......4444\n"
     "1........1........999999999...0000000000\n"),
    ("14", 1, 0, 2, " ", ALIGN_RIGHT,
     ".0\t.3\t2.4\t-5.1\t\n"
     "23.0\t12345678.9\t2.4\t-989.4\t\n"
     "5.1\t12.0\t2.4\t-7.0\t\n"
     ".0\t0.0\t332.0\t8908.0\t\n"
     ".0\t-.3\t456.4\t22.1\t\n"
     ".0\t1.2\t44.4\t-13.3\t\t",
     "    .0          .3    2.4    -5.1\n"
     "  23.0  12345678.9    2.4  -989.4\n"
     "   5.1        12.0    2.4    -7.0\n"
     "    .0         0.0  332.0  8908.0\n"
     "    .0         -.3  456.4    22.1\n"
     "    .0         1.2   44.4   -13.3"),
    ("14 debug", 1, 0, 2, " ", ALIGN_RIGHT | DEBUG,
     ".0\t.3\t2.4\t-5.1\t\n"
     "23.0\t12345678.9\t2.4\t-989.4\t\n"
     "5.1\t12.0\t2.4\t-7.0\t\n"
     ".0\t0.0\t332.0\t8908.0\t\n"
     ".0\t-.3\t456.4\t22.1\t\n"
     ".0\t1.2\t44.4\t-13.3\t\t",
     "    .0|          .3|    2.4|    -5.1|\n"
     "  23.0|  12345678.9|    2.4|  -989.4|\n"
     "   5.1|        12.0|    2.4|    -7.0|\n"
     "    .0|         0.0|  332.0|  8908.0|\n"
     "    .0|         -.3|  456.4|    22.1|\n"
     "    .0|         1.2|   44.4|   -13.3|"),
    ("15a", 4, 0, 0, ".", 0, "a\t\tb", "a.......b"),
    ("15b", 4, 0, 0, ".", DISCARD_EMPTY_COLUMNS, "a\t\tb", "a.......b"),
    ("15c", 4, 0, 0, ".", DISCARD_EMPTY_COLUMNS, "a\v\vb", "a...b"),
    ("15d", 4, 0, 0, ".", ALIGN_RIGHT | DISCARD_EMPTY_COLUMNS, "a\v\vb", "...ab"),
    ("16a", 100, 100, 0, "\t", 0,
     "a\tb\t\td\n"
     "a\tb\t\td\te\n"
     "a\n"
     "a\tb\tc\td\n"
     "a\tb\tc\td\te\n",
     "a\tb\t\td\n"
     "a\tb\t\td\te\n"
     "a\n"
     "a\tb\tc\td\n"
     "a\tb\tc\td\te\n"),
    ("16b", 100, 100, 0, "\t", DISCARD_EMPTY_COLUMNS,
     "a\vb\v\vd\n"
     "a\vb\v\vd\ve\n"
     "a\n"
     "a\vb\vc\vd\n"
     "a\vb\vc\vd\ve\n",
     "a\tb\td\n"
     "a\tb\td\te\n"
     "a\n"
     "a\tb\tc\td\n"
     "a\tb\tc\td\te\n"),
    ("16b debug", 100, 100, 0, "\t", DISCARD_EMPTY_COLUMNS | DEBUG,
     "a\vb\v\vd\n"
     "a\vb\v\vd\ve\n"
     "a\n"
     "a\vb\vc\vd\n"
     "a\vb\vc\vd\ve\n",
     "a\t|b\t||d\n"
     "a\t|b\t||d\t|e\n"
     "a\n"
     "a\t|b\t|c\t|d\n"
     "a\t|b\t|c\t|d\t|e\n"),
    ("16c", 100, 100, 0, "\t", DISCARD_EMPTY_COLUMNS,
     "a\tb\t\td\n"
     "a\tb\t\td\te\n"
     "a\n"
     "a\tb\tc\td\n"
     "a\tb\tc\td\te\n",
     "a\tb\t\td\n"
     "a\tb\t\td\te\n"
     "a\n"
     "a\tb\tc\td\n"
     "a\tb\tc\td\te\n"),
    ("16c debug", 100, 100, 0, "\t", DISCARD_EMPTY_COLUMNS | DEBUG,
     "a\tb\t\td\n"
     "a\tb\t\td\te\n"
     "a\n"
     "a\tb\tc\td\n"
     "a\tb\tc\td\te\n",
     "a\t|b\t|\t|d\n"
     "a\t|b\t|\t|d\t|e\n"
     "a\n"
     "a\t|b\t|c\t|d\n"
     "a\t|b\t|c\t|d\t|e\n"),
]


def _chunked(src: str, sizes):
    """Split src into pieces of the given sizes, as Go's test writes it."""
    pieces, i = [], 0
    for size in sizes:
        if i >= len(src):
            break
        pieces.append(src[i:i + size])
        i += size
    if i < len(src):
        pieces.append(src[i:])
    return pieces


def _fibonacci_sizes():
    d = 0
    while True:
        yield d
        d += 1


@pytest.mark.parametrize("case", GO_CASES, ids=[c[0] for c in GO_CASES])
@pytest.mark.parametrize("mode", ["all at once", "char by char", "fibonacci slices"])
def test_go_upstream_table(case, mode):
    _, minwidth, tabwidth, padding, padchar, flags, src, expected = case
    writer = TabWriter(minwidth, tabwidth, padding, padchar, flags, width=len)
    if mode == "all at once":
        pieces = [src]
    elif mode == "char by char":
        pieces = list(src)
    else:
        pieces = _chunked(src, _fibonacci_sizes())
    for piece in pieces:
        writer.write(piece)
    assert writer.flush() == expected


def test_writer_is_reusable_after_flush():
    writer = TabWriter(4, 0, 1, ".")
    writer.write("a\tb\n")
    assert writer.flush() == "a...b\n"
    writer.write("ccccc\td\n")
    assert writer.flush() == "ccccc.d\n"


def test_docker_counts_wide_characters_twice():
    # Go's upstream test "11", but through docker's runewidth-based fork.
    src = "本\tb\tc\naa\t本本本\tcccc\tddddd\naaa\tbbbb\n"
    assert tabulate(src, 8, 0, 1, ".") == (
        "本......b.......c\n"
        "aa......本本本..cccc....ddddd\n"
        "aaa.....bbbb\n"
    )


# Widths docker's table output gave these strings (see the module docstring).
DOCKER_WIDTHS = [
    ("日本語テスト", 12),
    ("é✓", 2),
    ("e\u0301x", 2),  # combining accent
    ("👍", 2),
    ("\U0001F468\u200d\U0001F469\u200d\U0001F467", 2),  # ZWJ family
    ("±°", 2),  # ambiguous width counts as narrow
    ("\U0001F1EF\U0001F1F5", 1),  # a flag: two regional indicators
    ("a\u200bb", 2),  # zero width space
    ("\u2764\ufe0f", 1),  # heart + variation selector
    ("ｱｲ", 2),  # half-width katakana
    ("가나", 4),
    ("", 0),
    ("plain ascii", 11),
    ("tab\there", 7),  # control characters have no width
]


@pytest.mark.parametrize(("text", "width"), DOCKER_WIDTHS)
def test_display_width_matches_docker(text, width):
    assert display_width(text) == width


def test_docker_table_defaults():
    text = "CONTAINER ID\tIMAGE\tNAMES\n4f66ad9a0b2e\tnginx:latest\tweb\n1c2\tbusybox\tdb-primary\n"
    assert tabulate(text) == (
        "CONTAINER ID   IMAGE          NAMES\n"
        "4f66ad9a0b2e   nginx:latest   web\n"
        "1c2            busybox        db-primary\n"
    )


def test_minwidth_applies_to_short_columns():
    assert tabulate("A\tB\nx\ty\n") == "A         B\nx         y\n"


def test_last_cell_is_never_padded():
    assert tabulate("a\tb\t\n") == "a         b         \n"
    assert tabulate("a\tb\n") == "a         b\n"


def test_column_blocks_are_contiguous_lines():
    # The b column stops at the line without it; c starts a new block.
    text = "aaaa\tbbb\td\naa\tb\tdd\na\t\naa\tcccc\teee\n"
    assert tabulate(text, 0, 1, 1) == "aaaa bbb d\naa   b   dd\na    \naa   cccc eee\n"


def test_line_without_tabs_ends_all_blocks():
    text = "a\tb\nheader line\nlonger cell\tc\n"
    assert tabulate(text, 0, 1, 1) == "a b\nheader line\nlonger cell c\n"


def test_header_with_missing_cells():
    text = "NAME\t\nweb\t80/tcp\n"
    assert tabulate(text) == "NAME      \nweb       80/tcp\n"


def test_negative_settings_are_rejected():
    with pytest.raises(ValueError):
        TabWriter(-1, 1, 3)


CELL_TEXT = st.text(alphabet=st.characters(blacklist_characters="\t\n\v\f\r"), max_size=8)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(CELL_TEXT, min_size=1, max_size=4), max_size=6), st.integers(1, 4))
def test_every_column_lines_up(rows, ncells):
    """Rows with the same cell count form one block: each cell is padded to
    the widest in its column plus 3, at least 10, except the last one."""
    rows = [(row * ncells)[:ncells] for row in rows]
    text = "".join("\t".join(row) + "\n" for row in rows)
    widths = [max([10] + [display_width(row[c]) + 3 for row in rows]) for c in range(ncells - 1)]
    expected = "".join(
        "".join(cell + " " * (w - display_width(cell)) for cell, w in zip(row, widths)) + row[-1] + "\n"
        for row in rows
    )
    assert tabulate(text) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_streaming_equals_one_write(text):
    writer = TabWriter()
    for ch in text:
        writer.write(ch)
    assert writer.flush() == tabulate(text)
