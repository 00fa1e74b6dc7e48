"""Reading a lesson file: YAML to plain values, remembering where every value was written.

Errors in a lesson must point at the line an author has to fix, so the YAML is composed
into nodes (which carry marks) and turned into plain Python values by hand, keeping a
map from each value's path (("steps", 2, "checks", 0)) to its line and column.
"""
from __future__ import annotations

import os
from pathlib import Path


class LessonError(Exception):
    """A problem in a lesson file, at file:line:column (1-based; 0 when unknown)."""

    def __init__(self, file: str, line: int, column: int, message: str):
        super().__init__(f"{file}:{line}:{column}: {message}")
        self.file, self.line, self.column, self.message = file, line, column, message

    def sort_key(self):
        return (self.file, self.line, self.column, self.message)


class Source:
    """A lesson file's values and the marks of where they were written."""

    def __init__(self, path: Path, data, marks: dict, key_marks: dict):
        self.path, self.data = path, data
        self._marks, self._key_marks = marks, key_marks

    def where(self, path: tuple, key: bool = False) -> tuple[int, int]:
        """Line and column of the value at `path` (of its key with `key`), or of the
        nearest enclosing value that has one."""
        table = self._key_marks if key else self._marks
        if key and path in table:
            return table[path]
        while path not in self._marks and path:
            path = path[:-1]
        return self._marks.get(path, (1, 1))

    def error(self, path: tuple, message: str, key: bool = False) -> LessonError:
        line, col = self.where(path, key)
        return LessonError(str(self.path), line, col, message)


# A lesson file is hostile until read (issue 12): what it may cost is bounded before
# anything is built from it. Lessons are a few KB; the course's largest has a few hundred
# values and nests 8 levels deep.
MAX_CHARS = 1_000_000      # characters in one file
MAX_DEPTH = 64             # nesting, counting what aliases stand for
MAX_VALUES = 100_000       # values, counting every alias as what it stands for
MAX_NUMBER = 100           # characters in a number (Python's int() is quadratic in them)


def read(path: Path) -> Source:
    """Parse the file; LessonError for anything YAML itself rejects."""
    import stat
    import yaml
    try:
        # a pipe would wait for a writer forever, a device never end: files only
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise LessonError(str(path), 0, 0, "not a regular file: a lesson is a .yaml file")
        with open(path, encoding="utf-8") as f:
            text = f.read(MAX_CHARS + 1)
    except OSError as e:
        raise LessonError(str(path), 0, 0, f"cannot read the file: {e.strerror or e}") \
            from None
    except UnicodeDecodeError:
        raise _not_utf8(path) from None
    if len(text) > MAX_CHARS:
        raise LessonError(str(path), 0, 0, f"the file is over {MAX_CHARS:,} characters long: "
                                           "too big to be a lesson (they are a few KB)")
    # libyaml's parser when there is one: several times faster, with the same marks. Its
    # messages differ from PyYAML's, so a file it rejects is read again by PyYAML, whose
    # words the error then uses (the same on every machine).
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return _parse(fast, text, path)
        except LessonError as e:
            if not e.message.startswith("not valid YAML"):
                raise
    return _parse(yaml.SafeLoader, text, path)


def _not_utf8(path) -> LessonError:
    """Where the first byte that is not UTF-8 is (the decoder saw one chunk only)."""
    with open(path, "rb") as f:
        raw = f.read(4 * MAX_CHARS + 4)
    try:
        raw.decode("utf-8")
        at = len(raw)
    except UnicodeDecodeError as e:
        at = e.start
    line_start = raw.rfind(b"\n", 0, at) + 1
    byte = f" (byte 0x{raw[at]:02x})" if at < len(raw) else ""
    return LessonError(str(path), raw.count(b"\n", 0, at) + 1, at - line_start + 1,
                       f"the file is not UTF-8 text{byte}: save it as UTF-8")


def _parse(loader_class, text: str, path) -> Source:
    import yaml
    try:
        # the shape first, from the parser's events alone: nothing is built (and no
        # alias expanded) before the file is known to be of a bounded size
        _check_shape(_loader(loader_class, text, path), str(path))
        loader = _loader(loader_class, text, path)
    except yaml.YAMLError as e:
        raise _yaml_error(e, text, path) from None
    try:
        node = loader.get_single_node()
        if node is None:
            raise LessonError(str(path), 1, 1, "the file is empty")
        marks: dict = {}
        key_marks: dict = {}
        data = _value(loader, node, (), marks, key_marks, str(path))
    except yaml.YAMLError as e:
        raise _yaml_error(e, text, path) from None
    finally:
        loader.dispose()
    return Source(Path(path), data, marks, key_marks)


def _loader(loader_class, text: str, path):
    """A loader over `text`; PyYAML's checks every character as it is made."""
    import yaml
    try:
        return loader_class(text)
    except yaml.reader.ReaderError as e:
        raise _yaml_error(e, text, path) from None


def _yaml_error(e, text: str, path) -> LessonError:
    import yaml
    if isinstance(e, yaml.reader.ReaderError):
        line, col = _position(text, e.position)
        code = e.character if isinstance(e.character, int) else ord(str(e.character)[:1] or "?")
        return LessonError(str(path), line, col,
                           f"not valid YAML: the control character #x{code:04x} cannot be "
                           "in a YAML file (inside double quotes, write it as "
                           f"\\x{code:02x})" if code < 0x100 else
                           f"not valid YAML: the character #x{code:04x} cannot be in a "
                           "YAML file")
    if isinstance(e, yaml.MarkedYAMLError):
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        return LessonError(str(path), line, col, f"not valid YAML: {e.problem or e.context}")
    return LessonError(str(path), 0, 0, f"not valid YAML: {e}")


def _position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character index."""
    index = max(0, min(index or 0, len(text)))
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def _check_shape(loader, file: str) -> None:
    """Walk the parser's events, counting what every value would expand to: refuse an
    alias inside what it names (it would never end), nesting deeper than MAX_DEPTH and
    more than MAX_VALUES values (a few hundred bytes of nested aliases can stand for
    billions), before a single node is made."""
    import yaml
    start = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
    end = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    named: dict[str, tuple[int, int]] = {}      # anchor -> (values, depth) it stands for
    open_: list[list] = []                       # [anchor, values, depth] per collection
    try:
        while not loader.check_event(yaml.StreamEndEvent):
            event = loader.get_event()
            if isinstance(event, start):
                open_.append([event.anchor, 1, 1])
                size = None
            elif isinstance(event, end):
                anchor, values, depth = open_.pop()
                size = (values, depth)
                if anchor:
                    named[anchor] = size
            elif isinstance(event, yaml.ScalarEvent):
                size = (1, 1)
                if event.anchor:
                    named[event.anchor] = size
            elif isinstance(event, yaml.AliasEvent):
                if any(anchor == event.anchor for anchor, _, _ in open_):
                    raise _shape_error(file, event, f"the alias *{event.anchor} stands for "
                                       "a value it is itself inside of, which would never end")
                size = named.get(event.anchor, (1, 1))   # undefined: the composer says so
            else:
                continue
            if open_ and size is not None:
                parent = open_[-1]
                parent[1] += size[0]
                parent[2] = max(parent[2], size[1] + 1)
                if parent[1] > MAX_VALUES:
                    raise _shape_error(file, event, f"this file holds more than "
                                       f"{MAX_VALUES:,} values (counting what aliases stand "
                                       "for): too big to be a lesson")
            if len(open_) + (size[1] if size and not isinstance(event, end) else 0) \
                    > MAX_DEPTH:
                raise _shape_error(file, event, f"values are nested more than {MAX_DEPTH} "
                                   "levels deep (counting what aliases stand for)")
    finally:
        loader.dispose()


def _shape_error(file: str, event, message: str) -> LessonError:
    mark = event.start_mark
    return LessonError(file, mark.line + 1, mark.column + 1, message)


def _mark(node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _value(loader, node, path: tuple, marks: dict, key_marks: dict, file: str):
    import yaml
    marks[path] = _mark(node)
    if isinstance(node, yaml.MappingNode):
        written = sum(1 for k, _ in node.value if k.tag != "tag:yaml.org,2002:merge")
        loader.flatten_mapping(node)      # YAML merge keys (<<) as authors expect them
        merged = len(node.value) - written     # the entries `<<` brought come first
        out = {}
        inherited: set = set()
        for index, (key_node, value_node) in enumerate(node.value):
            if not isinstance(key_node, yaml.ScalarNode):
                line, col = _mark(key_node)
                raise LessonError(file, line, col, "a key must be plain text")
            key = _construct(loader, key_node, file)
            if not isinstance(key, str):
                key = str(key)
            if index < merged:                 # merged: the first map given wins (YAML's
                if key in out:                 # merge rule, as Go's yaml reads it)
                    continue
                inherited.add(key)
            elif key in out and key not in inherited:
                line, col = _mark(key_node)
                raise LessonError(file, line, col, f"'{key}' is given twice")
            else:                              # written here: it overrides what `<<` gave
                inherited.discard(key)
            key_marks[path + (key,)] = _mark(key_node)
            out[key] = _value(loader, value_node, path + (key,), marks, key_marks, file)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_value(loader, item, path + (i,), marks, key_marks, file)
                for i, item in enumerate(node.value)]
    return _construct(loader, node, file)


_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


def _construct(loader, node, file: str):
    """A plain value; LessonError at its place for one YAML reads but Python cannot
    hold (a number thousands of digits long, a date like 2020-13-45)."""
    line, col = _mark(node)
    if node.tag in _NUMBER_TAGS and len(node.value) > MAX_NUMBER:
        raise LessonError(file, line, col, f"a number {len(node.value):,} characters long "
                          "is more than a lesson needs (quote it to keep it as text)")
    import yaml
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError:
        raise
    except Exception as e:       # PyYAML's constructors fail in many ways on odd values
        why = f": {e}" if isinstance(e, ValueError) else ""
        raise LessonError(file, line, col, f"'{str(node.value)[:40]}' cannot be read as "
                          f"{node.tag.rpartition(':')[2] or 'a value'}{why} (quote it to "
                          "keep it as text)") from None
