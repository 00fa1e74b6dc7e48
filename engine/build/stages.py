"""The stages of a Dockerfile: what each is built on, what it copies from, and which
ones a build needs.

ARGs before the first FROM are the only variables a FROM line sees. A FROM or COPY
--from that names an earlier stage (`AS builder`, or its index) builds on or reads
from that stage; any other name is an image. The target (the last stage, or --target)
needs its base and what it copies from, and so on: only those stages run.
"""
from __future__ import annotations

import os

from ..images import reference
from ..errors import InvalidReference
from .errors import BuildError
from .expand import expand


class Stage:
    def __init__(self, index: int, inst):
        self.index, self.from_inst = index, inst
        self.name = inst.args[2].lower() if len(inst.args) == 3 else None
        self.instructions: list = []
        self.base: tuple = ()            # ("scratch",) | ("stage", i) | ("image", ref, text)
        self.copy_from: dict[int, tuple] = {}   # id(instruction) -> the same shapes
        self.copy_insts: list[tuple] = []       # (source, instruction), in order

    @property
    def label(self) -> str:
        return self.name or f"stage-{self.index}"


def platform_args() -> dict[str, str]:
    """BuildKit's automatic platform ARGs (global scope; a stage declares them to use)."""
    machine = os.uname().machine
    arch = {"x86_64": "amd64", "aarch64": "arm64"}.get(machine, machine)
    plat = f"linux/{arch}"
    return {"TARGETPLATFORM": plat, "TARGETOS": "linux", "TARGETARCH": arch,
            "TARGETVARIANT": "", "BUILDPLATFORM": plat, "BUILDOS": "linux",
            "BUILDARCH": arch, "BUILDVARIANT": ""}


def split(df) -> tuple[list, list[Stage]]:
    """(the ARG instructions before the first FROM, the stages)."""
    meta, stages = [], []
    for inst in df.instructions:
        if inst.cmd == "FROM":
            st = Stage(len(stages), inst)
            if st.name and any(s.name == st.name for s in stages):
                raise BuildError(f'duplicate stage name "{st.name}"', lines=inst.lines)
            stages.append(st)
        elif not stages:
            if inst.cmd != "ARG":
                raise BuildError("no build stage in current context", lines=inst.lines)
            meta.append(inst)
        else:
            stages[-1].instructions.append(inst)
    if not stages:
        raise BuildError("dockerfile contains no stages to build" if df.instructions
                         else "file with no instructions")
    return meta, stages


def meta_args(insts, build_args: dict) -> tuple[dict[str, str], set[str]]:
    """The values of the global ARGs (a --build-arg wins over the default), and their
    names: a stage that declares one again without a value gets this value."""
    values, declared = platform_args(), set()
    for inst in insts:
        for name, default in inst.pairs:
            declared.add(name)
            if name in build_args:
                values[name] = build_args[name]
            elif default is not None:
                values[name] = expand(default, values)
    return values, declared


def resolve(stages: list[Stage], meta: dict[str, str]) -> None:
    """Fill in each stage's base and COPY --from sources."""
    for st in stages:
        text = expand(st.from_inst.args[0], meta)
        if not text:
            raise BuildError(f"base name ({st.from_inst.args[0]}) should not be blank",
                             lines=st.from_inst.lines)
        st.base = source_of(text, stages[:st.index], st.from_inst, "stage name")
        for inst in st.instructions:
            if inst.cmd == "COPY" and "from" in inst.flags:
                src = copy_source(st, inst, stages, meta)
                st.copy_from[id(inst)] = src
                st.copy_insts.append((src, inst))


def source_of(text: str, earlier: list[Stage], inst, what: str) -> tuple:
    lower = text.lower()
    for s in earlier:
        if s.name == lower:
            return ("stage", s.index)
    if lower == "scratch":
        return ("scratch",)
    try:
        ref = reference.parse(text)
    except InvalidReference as e:
        raise BuildError(f'failed to parse {what} "{text}": {e.message}',
                         lines=inst.lines) from None
    return ("image", str(ref), text)


def copy_source(st: Stage, inst, stages: list[Stage], meta: dict[str, str]) -> tuple:
    value = expand(inst.flags["from"], meta)
    if value.isdigit():
        n = int(value)
        if n >= st.index:
            raise BuildError(f"invalid from flag value {value}: refers to the current or "
                             "a later build stage", lines=inst.lines,
                             hint="COPY --from=N reads from stage N, counted from 0: it "
                             "must be a stage above this one.")
        return ("stage", n)
    found = source_of(value, stages[:st.index], inst, "from flag value")
    if found[0] == "scratch":
        raise BuildError("invalid from flag value scratch", lines=inst.lines)
    return found


def target(stages: list[Stage], name: str | None) -> Stage:
    if not name:
        return stages[-1]
    for st in stages:
        if st.name == name.lower():
            return st
    names = ", ".join(s.name for s in stages if s.name) or "none"
    raise BuildError(f'target stage "{name}" could not be found',
                     hint=f"the stages with a name (FROM ... AS name) here: {names}.")


def needed(stages: list[Stage], goal: Stage) -> set[int]:
    """The indexes of the stages `goal` builds on or copies from, itself included."""
    out: set[int] = set()
    todo = [goal.index]
    while todo:
        i = todo.pop()
        if i in out:
            continue
        out.add(i)
        st = stages[i]
        for src in [st.base, *st.copy_from.values()]:
            if src[0] == "stage":
                todo.append(src[1])
    return out
