"""How lessons look in the terminal: rich renders each piece (Markdown step text, the ✓ of
a passing step, hints, the list of lessons) into text that goes to the shell's Env, in
colour on a terminal and as plain text anywhere else (pipes, tests)."""
from __future__ import annotations

import io

CONTROL_NAMES = {"\x10": "Ctrl-P", "\x11": "Ctrl-Q", "\x03": "Ctrl-C", "\x04": "Ctrl-D"}
MAX_WIDTH = 100


class View:
    def __init__(self, env):
        self.env = env

    def _console(self):
        from rich.console import Console
        tty = bool(getattr(self.env, "stdout_tty", False))
        return Console(file=io.StringIO(), width=min(self.env.columns, MAX_WIDTH),
                       force_terminal=tty, color_system="standard" if tty else None,
                       highlight=False, emoji=False)

    def _print(self, *renderables) -> None:
        console = self._console()
        for r in _flat(renderables):
            if isinstance(r, Code):         # as typed: never wrapped inside a word
                console.print(r.text(), soft_wrap=True)
            else:
                console.print(r)
        text = console.file.getvalue()
        if not console.is_terminal:       # rich pads to the width; plain text needs no pad
            text = "\n".join(line.rstrip() for line in text.split("\n"))
        self.env.write_out(text.encode("utf-8", "replace"))

    @staticmethod
    def _markdown(text: str, indent: int = 0) -> list:
        """Markdown prose through rich; fenced code blocks as lines of their own (Code),
        one blank line between the pieces."""
        from rich.markdown import Markdown
        from rich.padding import Padding
        from rich.text import Text
        out: list = []
        for kind, piece in split_code(text.strip()):
            if out:
                out.append(Text(""))
            if kind == "code":
                out.append(Code(piece, indent + 2))
            else:
                md = Markdown(piece, code_theme="ansi_dark", inline_code_theme="ansi_dark")
                out.append(Padding(md, (0, 0, 0, indent)) if indent else md)
        return out

    @staticmethod
    def _text(markup: str):
        from rich.text import Text
        return Text.from_markup(markup)

    # --- pieces ------------------------------------------------------------------------
    def step(self, lesson, index: int, resumed: bool = False) -> None:
        from rich.rule import Rule
        step = lesson.steps[index]
        head = f"{lesson.title} · step {index + 1} of {len(lesson.steps)}"
        self._print(Rule(head, style="cyan"),
                    self._text(f"[bold]{_escape(step.title)}[/bold]"
                               + ("  (where you left off)" if resumed else "")),
                    self._markdown(step.text), self._text(""),
                    self._text("hint · check · solution · lesson (show again) · "
                               "lessons"))

    def passed(self, step) -> None:
        self._print(self._text(f"[bold green]✓ {_escape(step.title)}[/bold green]"),
                    self._markdown(step.explain, indent=2))

    def skipped(self, step) -> None:
        self._print(self._text(f"[yellow]↷ skipped: {_escape(step.title)}[/yellow] "
                               "(later steps may need what it makes; `back` returns to "
                               "it)"))

    def failing(self, messages: list[str], seconds: float | None = None) -> None:
        lines = [self._text(f"[red]✗[/red] {_escape(m)}") for m in messages]
        if seconds is not None:
            lines.append(self._text(f"(checked in {seconds * 1000:.1f} ms)"))
        self._print(*lines)

    def hint(self, number: int, total: int, text: str) -> None:
        self._print(self._text(f"[yellow]Hint {number} of {total}:[/yellow]"),
                    self._markdown(text))

    def solution(self, commands) -> None:
        from rich.padding import Padding
        parts = [self._text("[bold]Solution:[/bold]")]
        for cmd in commands:
            parts.append(Padding(self._text(f"[cyan]$ {_escape(cmd.line)}[/cyan]"),
                                 (0, 0, 0, 2)))
            if cmd.input:
                parts.append(Padding(self._text(
                    "then type: " + _escape(describe_input(cmd.input))),
                    (0, 0, 0, 4)))
        self._print(*parts)

    def finished(self, lesson) -> None:
        from rich.rule import Rule
        explore = "\n".join(f"- {item}" for item in lesson.explore)
        self._print(Rule(f"{lesson.title}: done", style="green"),
                    self._markdown("## Recap\n\n" + lesson.recap.strip()),
                    self._markdown("## Try on your own\n\n" + explore),
                    self._text("`lessons` shows what comes next."))

    def open_end(self, lesson, skipped) -> None:
        """The last step is behind, but some were skipped: not complete yet."""
        n = len(skipped)
        titles = ", ".join(f"↷ {_escape(s.title)}" for s in skipped)
        self._print(self._text(
            f"[yellow]That was the last step; {n} step{'s' if n > 1 else ''} skipped: "
            f"{titles}.[/yellow] {lesson.title} is complete once "
            f"{'they pass' if n > 1 else 'it passes'}: `lesson start {lesson.id}` takes you "
            f"back to {'the first' if n > 1 else 'it'}."))

    def catalog(self, catalog, progress) -> None:
        """The course by chapter: a heading with how many of its lessons are done, and
        under it each lesson's state, the sections it covers there, and its steps."""
        from rich.padding import Padding
        from rich.table import Table
        lessons, chapters = catalog.lessons, catalog.chapters()
        rows = [[(lesson, sections_label(secs), *_lesson_state(lesson, progress))
                 for lesson, secs in chapter.entries] for chapter in chapters]
        every = [row for chapter_rows in rows for row in chapter_rows]
        # the same widths in every chapter: the columns line up down the course
        widths = [max((len(row[1]) for row in every), default=0),
                  max((len(row[0].id) for row in every), default=0),
                  max((len(row[3]) for row in every), default=0)]
        parts = []
        for chapter, chapter_rows in zip(chapters, rows):
            done = sum(1 for row in chapter_rows if row[2] == "✓")
            name = f"Chapter {chapter.key}" if chapter.key.isdigit() else ""
            head = " · ".join(p for p in (name, chapter.title) if p)
            parts.append(self._text(f"[bold]{_escape(head)}[/bold] · "
                                    f"{done}/{len(chapter_rows)} done"))
            table = Table(box=None, show_header=False, pad_edge=False, expand=True)
            table.add_column(width=1)
            table.add_column(min_width=widths[0], no_wrap=True)
            table.add_column(min_width=widths[1], no_wrap=True)
            table.add_column(ratio=1)
            table.add_column(min_width=widths[2], no_wrap=True, justify="right")
            for lesson, label, mark, count in chapter_rows:
                table.add_row(self._text(MARK_STYLE.get(mark, mark)), label,
                              self._text(f"[bold]{_escape(lesson.id)}[/bold]"),
                              _escape(lesson.title), count)
            parts.append(Padding(table, (0, 0, 0, 2)))
        done = sum(1 for lesson in lessons if _lesson_state(lesson, progress)[0] == "✓")
        parts.append(self._text(f"{done} of {len(lessons)} lessons done. Start or resume "
                                "one with: lesson start ID"))
        if catalog.errors:
            parts.append(self._text(f"[yellow]{len(catalog.errors)} problem(s) in lesson "
                                    "files; `dockerlings lessons validate` lists them[/yellow]"))
        self._print(*parts)

    def say(self, text: str) -> None:
        self._print(self._text(text))

    def plain(self, text: str) -> None:
        self.env.out(text)


def sections_label(secs: list[str]) -> str:
    """["3-1", "3-2", "3-3"] -> "3-1–3-3" (a run of three or more); else "1-2 1-3"."""
    numbers = [int(s.split("-")[1]) for s in secs]
    if len(secs) > 2 and numbers == list(range(numbers[0], numbers[0] + len(secs))):
        return f"{secs[0]}–{secs[-1]}"
    return " ".join(secs)


MARK_STYLE = {"✓": "[green]✓[/green]", "↷": "[yellow]↷[/yellow]", "▶": "[cyan]▶[/cyan]"}


def _lesson_state(lesson, progress) -> tuple[str, str]:
    """(✓ done | ↷ steps skipped | ▶ started | · not yet, "passed/total" steps)."""
    lp = progress.lessons.get(lesson.id)
    total = len(lesson.steps)
    passed = sum(1 for s in lesson.steps if lp and s.id in lp.passed)
    skipped = sum(1 for s in lesson.steps if lp and s.id in lp.skipped)
    count = f"{passed}/{total}" + (f" ↷{skipped}" if skipped else "")
    if lp and lp.status == "done":
        return "✓", f"{total}/{total}" + (f", again: {count}" if lp.again else "")
    if skipped:
        return "↷", count
    return ("▶" if lp else "·"), count


class Code:
    """A fenced code block: its lines as they are to be typed, indented, in the
    terminal's own cyan; a line longer than the screen runs past it (the terminal
    folds it), so no line is ever broken inside a word or a quoted string."""

    def __init__(self, body: str, indent: int):
        self.body, self.indent = body, indent

    def text(self):
        from rich.text import Text
        pad = " " * self.indent
        return Text("\n".join(pad + line for line in self.body.split("\n")), style="cyan")


FENCE = "```"


def split_code(text: str) -> list[tuple[str, str]]:
    """Markdown -> [("prose" | "code", text)], fenced blocks at the left margin apart."""
    pieces: list[tuple[str, str]] = []
    prose: list[str] = []
    code: list[str] | None = None
    for line in text.split("\n"):
        if code is None and line.startswith(FENCE):
            code = []
        elif code is not None and line.strip() == FENCE:
            _add(pieces, "prose", prose)
            _add(pieces, "code", code)
            prose, code = [], None
        elif code is not None:
            code.append(line)
        else:
            prose.append(line)
    if code is not None:                    # never closed: Markdown reads it to the end
        _add(pieces, "prose", prose)
        _add(pieces, "code", code)
    else:
        _add(pieces, "prose", prose)
    return pieces


def _add(pieces: list, kind: str, lines: list[str]) -> None:
    text = "\n".join(lines)
    text = text.strip("\n") if kind == "code" else text.strip()
    if text:
        pieces.append((kind, text))


def _flat(items):
    for item in items:
        if isinstance(item, list):
            yield from _flat(item)
        else:
            yield item


def _escape(text: str) -> str:
    from rich.markup import escape
    return escape(text)


def describe_input(text: str) -> str:
    """Typed input as a person would type it: lines, and control keys by name."""
    out = []
    for line in text.split("\n"):
        for ch, name in CONTROL_NAMES.items():
            line = line.replace(ch, f" {name} ")
        line = " ".join(line.split())
        if line:
            out.append(line)
    return " ⏎ ".join(out)
