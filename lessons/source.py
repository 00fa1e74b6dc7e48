"""Reading a lesson file: YAML to plain values, remembering where every value was written.

Errors in a lesson must point at the line an author has to fix, so the YAML is composed
into nodes (which carry marks) and turned into plain Python values by hand, keeping a
map from each value's path (("steps", 2, "checks", 0)) to its line and column.
"""
from __future__ import annotations

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


def read(path: Path) -> Source:
    """Parse the file; LessonError for anything YAML itself rejects."""
    import yaml
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise LessonError(str(path), 0, 0, f"cannot read the file: {e}") from None
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


def _parse(loader_class, text: str, path) -> Source:
    import yaml
    loader = loader_class(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise LessonError(str(path), 1, 1, "the file is empty")
        marks: dict = {}
        key_marks: dict = {}
        data = _value(loader, node, (), marks, key_marks, str(path))
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise LessonError(str(path), line, col, f"not valid YAML: {e.problem or e.context}") \
            from None
    except yaml.YAMLError as e:
        raise LessonError(str(path), 0, 0, f"not valid YAML: {e}") from None
    finally:
        loader.dispose()
    return Source(Path(path), data, marks, key_marks)


def _mark(node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _value(loader, node, path: tuple, marks: dict, key_marks: dict, file: str):
    import yaml
    marks[path] = _mark(node)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)      # YAML merge keys (<<) as authors expect them
        out = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                line, col = _mark(key_node)
                raise LessonError(file, line, col, "a key must be plain text")
            key = loader.construct_object(key_node)
            if not isinstance(key, str):
                key = str(key)
            if key in out:
                line, col = _mark(key_node)
                raise LessonError(file, line, col, f"'{key}' is given twice")
            key_marks[path + (key,)] = _mark(key_node)
            out[key] = _value(loader, value_node, path + (key,), marks, key_marks, file)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_value(loader, item, path + (i,), marks, key_marks, file)
                for i, item in enumerate(node.value)]
    return loader.construct_object(node, deep=True)
