"""A small full-screen editor for `edit FILE` when there is no $EDITOR: enough to write
a Dockerfile or a script without leaving dockerlings. Ctrl-S saves, Ctrl-Q quits
(twice, when there are unsaved changes)."""
from __future__ import annotations

import os

from prompt_toolkit.application import Application
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.layout import HSplit, Layout, Window
from prompt_toolkit.layout.controls import FormattedTextControl
from prompt_toolkit.styles import Style
from prompt_toolkit.widgets import TextArea

KEYS = "Ctrl-S save · Ctrl-Q quit"


class Editor:
    def __init__(self, path: str, input=None, output=None):
        self.path = path
        self.saved_text = _read(path)
        self.message = "new file" if not os.path.exists(path) else ""
        self.quitting = False
        self.area = TextArea(text=self.saved_text, line_numbers=True, scrollbar=True,
                             focus_on_click=True)
        self.area.buffer.on_text_changed += self._changed
        status = Window(FormattedTextControl(self.status), height=1,
                        style="class:status")
        self.app = Application(layout=Layout(HSplit([self.area, status])),
                               key_bindings=self.bindings(), full_screen=True,
                               style=Style.from_dict({"status": "reverse"}),
                               input=input, output=output)

    def _changed(self, _buffer) -> None:
        self.quitting = False
        self.message = ""

    @property
    def dirty(self) -> bool:
        return self.area.text != self.saved_text

    def status(self):
        changed = " (modified)" if self.dirty else ""
        note = f" · {self.message}" if self.message else ""
        return [("", f" {self.path}{changed}{note} · {KEYS} ")]

    def save(self) -> None:
        tmp = f"{self.path}.dl-edit-{os.getpid()}"
        try:
            with open(tmp, "w") as f:
                f.write(self.area.text)
            os.replace(tmp, self.path)
        except OSError as e:
            self.message = f"not saved: {e.strerror}"
            return
        self.saved_text = self.area.text
        self.message = "saved"

    def bindings(self) -> KeyBindings:
        kb = KeyBindings()

        @kb.add("c-s")
        def _(event):
            self.save()
            self.quitting = False

        @kb.add("c-q")
        def _(event):
            if self.dirty and not self.quitting:
                self.quitting = True
                self.message = "unsaved changes: Ctrl-Q again to quit without saving"
                return
            event.app.exit(result=0)

        return kb

    def run(self) -> int:
        return self.app.run() or 0


def _read(path: str) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except FileNotFoundError:
        return ""


def edit(path: str, input=None, output=None) -> int:
    return Editor(path, input, output).run()
