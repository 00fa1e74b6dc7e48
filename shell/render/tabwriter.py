"""Go's text/tabwriter as the docker CLI uses it, for aligned tables.

docker/cli vendors a fork of text/tabwriter (cli/command/formatter/tabwriter)
and creates it as ``NewWriter(out, 10, 1, 3, ' ', 0)``.  The algorithm is
elastic tabstops: text is split into cells terminated by ``\\t``; a *column
block* is a run of consecutive lines that all have a cell in that column, and
every cell of a block is padded to the block's widest cell plus ``padding``
(but at least ``minwidth``).  The text after a line's last tab is not part of
any column and is never padded.

One difference from upstream Go matters: docker's fork measures cells with
go-runewidth, so East Asian wide characters and emoji count as two columns
and combining marks as zero (``docker context ls`` confirms this).
:func:`display_width` approximates go-runewidth with the standard library.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "ALIGN_RIGHT",
    "DEBUG",
    "DISCARD_EMPTY_COLUMNS",
    "TAB_INDENT",
    "TabWriter",
    "display_width",
    "tabulate",
]

# Flags, as in Go (FilterHTML and StripEscape are not supported).
ALIGN_RIGHT = 1 << 2
DISCARD_EMPTY_COLUMNS = 1 << 3
TAB_INDENT = 1 << 4
DEBUG = 1 << 5

_ZWJ = "\u200d"


def _rune_width(ch: str) -> int:
    """go-runewidth's RuneWidth (non-CJK locale): 0, 1 or 2 columns."""
    code = ord(ch)
    if code < 0x20 or 0x7F <= code <= 0x9F or code == 0xAD:
        return 0
    if code < 0x300:
        return 1
    if unicodedata.category(ch) in ("Mn", "Me", "Cf", "Cs"):
        return 0  # combining marks and invisible format characters
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 2
    return 1


def _extends_cluster(ch: str, prev: str) -> bool:
    """Whether ``ch`` continues the grapheme cluster ending in ``prev``.

    A small subset of Unicode's segmentation rules: marks, ZWJ sequences,
    variation selectors, emoji modifiers and regional-indicator pairs.
    """
    code = ord(ch)
    if unicodedata.category(ch) in ("Mn", "Me", "Mc") or ch == _ZWJ:
        return True
    if 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF or 0xE0020 <= code <= 0xE007F:
        return True
    if 0x1F3FB <= code <= 0x1F3FF:  # skin tone modifiers
        return True
    return prev == _ZWJ


def _clusters(text: str) -> list[str]:
    clusters: list[str] = []
    regional_run = 0
    for ch in text:
        is_regional = 0x1F1E6 <= ord(ch) <= 0x1F1FF
        joins = clusters and _extends_cluster(ch, clusters[-1][-1])
        if is_regional and regional_run % 2 == 1:
            joins = True  # the second half of a flag
        regional_run = regional_run + 1 if is_regional else 0
        if joins:
            clusters[-1] += ch
        else:
            clusters.append(ch)
    return clusters


def display_width(text: str) -> int:
    """Terminal columns of ``text``, as go-runewidth's StringWidth counts them.

    Each grapheme cluster is as wide as its first rune of non-zero width.
    """
    total = 0
    for cluster in _clusters(text):
        total += next((w for w in map(_rune_width, cluster) if w > 0), 0)
    return total


@dataclass
class _Cell:
    text: str = ""
    width: int = 0
    htab: bool = False  # terminated by a horizontal tab


class TabWriter:
    """Buffers tab-separated text and aligns its columns on flush()."""

    def __init__(
        self,
        minwidth: int = 10,
        tabwidth: int = 1,
        padding: int = 3,
        padchar: str = " ",
        flags: int = 0,
        width: Callable[[str], int] = display_width,
    ) -> None:
        if minwidth < 0 or tabwidth < 0 or padding < 0:
            raise ValueError("negative minwidth, tabwidth, or padding")
        self.minwidth = minwidth
        self.tabwidth = tabwidth
        self.padding = padding
        self.padchar = padchar
        # Padding with tabs can only align to the left.
        self.flags = flags & ~ALIGN_RIGHT if padchar == "\t" else flags
        self.width = width
        self._out: list[str] = []
        self._reset()

    def _reset(self) -> None:
        self._cell: list[str] = []  # text of the incomplete cell
        self._lines: list[list[_Cell]] = [[]]
        self._widths: list[int] = []  # column widths while formatting

    def write(self, text: str) -> None:
        """Add text; complete lines may be formatted straight away."""
        for ch in text:
            if ch not in "\t\v\n\f":
                self._cell.append(ch)
                continue
            ncells = self._terminate_cell(htab=ch == "\t")
            if ch in "\n\f":
                self._lines.append([])
                # A line without tabs ends every column block, so what came
                # before can be formatted; a form feed always forces this.
                if ch == "\f" or ncells == 1:
                    self._flush_lines()
                    if ch == "\f" and self.flags & DEBUG:
                        self._out.append("---\n")

    def flush(self) -> str:
        """Format everything buffered and return all output so far."""
        if self._cell:
            self._terminate_cell(htab=False)
        self._flush_lines()
        out, self._out = "".join(self._out), []
        return out

    def _terminate_cell(self, htab: bool) -> int:
        text = "".join(self._cell)
        line = self._lines[-1]
        line.append(_Cell(text, self.width(text), htab))
        self._cell = []
        return len(line)

    def _flush_lines(self) -> None:
        self._format(0, len(self._lines))
        self._reset()

    def _format(self, line0: int, line1: int) -> None:
        """Go's recursive column-block algorithm over lines[line0:line1]."""
        column = len(self._widths)
        this = line0
        while this < line1:
            if column >= len(self._lines[this]) - 1:
                this += 1
                continue
            # This line starts a block of lines that have a cell in `column`
            # (the last cell of a line never counts: it is not tab-terminated).
            self._write_lines(line0, this)
            line0 = this
            width, discardable = self.minwidth, True
            while this < line1 and column < len(self._lines[this]) - 1:
                cell = self._lines[this][column]
                width = max(width, cell.width + self.padding)
                discardable = discardable and cell.width == 0 and not cell.htab
                this += 1
            if discardable and self.flags & DISCARD_EMPTY_COLUMNS:
                width = 0
            self._widths.append(width)
            self._format(line0, this)  # columns to the right, same block
            self._widths.pop()
            line0 = this
        self._write_lines(line0, line1)

    def _write_lines(self, line0: int, line1: int) -> None:
        for i in range(line0, line1):
            use_tabs = bool(self.flags & TAB_INDENT)
            for j, cell in enumerate(self._lines[i]):
                if j > 0 and self.flags & DEBUG:
                    self._out.append("|")
                padded = j < len(self._widths)
                if not cell.text:
                    if padded:
                        self._write_padding(cell.width, self._widths[j], use_tabs)
                    continue
                use_tabs = False
                if self.flags & ALIGN_RIGHT and padded:
                    self._write_padding(cell.width, self._widths[j], False)
                self._out.append(cell.text)
                if not self.flags & ALIGN_RIGHT and padded:
                    self._write_padding(cell.width, self._widths[j], False)
            if i + 1 < len(self._lines):
                self._out.append("\n")  # the last buffered line has no newline yet

    def _write_padding(self, textw: int, cellw: int, use_tabs: bool) -> None:
        if self.padchar == "\t" or use_tabs:
            if self.tabwidth == 0:
                return  # tabs have no width, so no padding is possible
            cellw = (cellw + self.tabwidth - 1) // self.tabwidth * self.tabwidth
            n = cellw - textw
            self._out.append("\t" * ((n + self.tabwidth - 1) // self.tabwidth))
            return
        self._out.append(self.padchar * (cellw - textw))


def tabulate(
    text: str,
    minwidth: int = 10,
    tabwidth: int = 1,
    padding: int = 3,
    padchar: str = " ",
    flags: int = 0,
) -> str:
    """Align tab-separated ``text`` like docker's table output.

    The defaults are the docker CLI's: ``NewWriter(out, 10, 1, 3, ' ', 0)``.
    """
    writer = TabWriter(minwidth, tabwidth, padding, padchar, flags)
    writer.write(text)
    return writer.flush()
