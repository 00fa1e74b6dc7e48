"""docker build: a Dockerfile and a context folder in, an image out.

The build follows BuildKit's frontend: the Dockerfile is parsed whole first (so a typo
on line 30 fails before line 2 runs), ARGs before the first FROM are evaluated for the
FROM lines, the stages the target needs are found (the last stage, or --target, and
what it copies from or builds on) and only those run, in order. Each instruction
makes a new State; RUN, COPY, ADD and WORKDIR make a layer, unless the build cache has
one for exactly that step (see cache.py). The last State of the target stage becomes
the image, tagged with every -t; the intermediate containers and snapshots are gone by
then, whether the build worked or not.
"""
from __future__ import annotations

import hashlib
import json
import os
import posixpath
import shutil
import stat
from collections import namedtuple

from ..util import timeutil
from ..errors import EngineError
from ..store import lock
from . import cache, context, dockerfile, hints, metadata, remote, rootpath
from . import stages as stages_mod
from .errors import BuildError
from .expand import expand, expand_raw
from .progress import Progress, human_bytes
from .state import State

STEP_CMDS = ("RUN", "COPY", "ADD", "WORKDIR")
UNSUPPORTED_FLAGS = {"RUN": ("mount", "security"), "COPY": ("parents", "exclude"),
                     "ADD": ("parents", "exclude", "checksum", "keep-git-dir")}


class BuildOptions(namedtuple("BuildOptions", "context dockerfile filename tags build_args "
                                              "labels target no_cache pull network",
                              defaults=("Dockerfile", (), {}, {}, None, False, False,
                                        "default"))):
    """context: the context folder (None: no context, a Dockerfile from stdin);
    dockerfile: its bytes; tags: normalised references; build_args/labels: dicts."""

    __slots__ = ()


class Result:
    def __init__(self, image_id: str, tags: list[str], warnings: list, hints: list[str]):
        self.image_id, self.tags, self.warnings, self.hints = image_id, tags, warnings, hints


def build(engine, opts: BuildOptions, write=None) -> Result:
    """Build; progress lines go to `write` (None: quiet). Raises BuildError."""
    return Builder(engine, opts, write).run()


class Builder:
    def __init__(self, engine, opts: BuildOptions, write=None):
        self.engine, self.opts = engine, opts
        self.progress = Progress(write)
        self.cache = cache.BuildCache(engine)
        self.warnings: list = []
        self.hints: list[str] = []
        self.states: dict[int, State] = {}
        self.images: dict[str, object] = {}
        self.source = ""
        self.meta: dict[str, str] = {}
        self.meta_declared: set[str] = set()
        self.tree = None
        self.context_loaded = False
        self.args: dict[str, str | None] = {}
        self.workdir_set = False
        self.stages: list = []

    def run(self) -> Result:
        try:
            return self._build()
        except BuildError as e:
            self._annotate(e)
            raise
        except EngineError as e:
            err = BuildError(e.message, hint=e.hint)
            self._annotate(err)
            raise err from None

    def _annotate(self, e: BuildError) -> None:
        if not e.source:
            e.source, e.filename = self.source, os.path.basename(self.opts.filename)
        e.warnings, e.hints = self.warnings, self.hints

    # --- the whole build ----------------------------------------------------------------
    def _build(self) -> Result:
        self.progress.header()
        df = self._parse()
        meta_insts, stages = stages_mod.split(df)
        self.meta, self.meta_declared = stages_mod.meta_args(meta_insts, self.opts.build_args)
        stages_mod.resolve(stages, self.meta)
        self.stages = stages
        target = stages_mod.target(stages, self.opts.target)
        needed = stages_mod.needed(stages, target)
        for st in stages:
            if st.index in needed:
                self.hints += hints.cd_hints(st.instructions,
                                             os.path.basename(self.opts.filename))
        self._load_metadata([s for s in stages if s.index in needed])
        self._load_dockerignore()
        for st in stages:
            if st.index in needed:
                self.states[st.index] = self._run_stage(st, len(stages) > 1)
        return self._export(self.states[target.index])

    def _parse(self):
        name = os.path.basename(self.opts.filename)
        data = self.opts.dockerfile
        self.source = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        v = self.progress.vertex(f"[internal] load build definition from {name}")
        v.status(f"transferring dockerfile: {human_bytes(len(data))}")
        try:
            df = dockerfile.parse(data, name)
        finally:
            v.done()
        self.warnings += df.warnings
        return df

    # --- the [internal] steps -----------------------------------------------------------------
    def _load_metadata(self, stages: list) -> None:
        for st in stages:
            for src, inst in [(st.base, st.from_inst)] + st.copy_insts:
                if src[0] == "image" and src[1] not in self.images:
                    self.images[src[1]] = self._image(src[1], src[2], inst, st)

    def _image(self, ref: str, text: str, inst, st):
        v = self.progress.vertex(f"[internal] load metadata for {ref}")
        try:
            img = None if self.opts.pull else self.engine.images.find(ref)
            if img is None:
                img = self.engine.pull(ref)
        except EngineError as e:
            reason = f"failed to resolve source metadata for {ref}: {e.message}"
            v.error(reason)
            hint = e.hint
            if inst.cmd == "COPY":
                names = ", ".join(s.name for s in self.stages[:st.index] if s.name) or "none"
                hint = (f"no stage above this COPY is named {text} (named stages: {names}), "
                        "so --from looked for an image of that name.")
            raise BuildError(f"{text}: {reason}", lines=inst.lines, hint=hint) from None
        v.done()
        return img

    def _load_dockerignore(self) -> None:
        patterns, size = context.load_ignore(self.opts.context, self.opts.filename)
        v = self.progress.vertex("[internal] load .dockerignore")
        v.status(f"transferring context: {human_bytes(size or 2)}")
        v.done()
        from .ignore import Matcher
        self.tree = context.Tree(self.opts.context, Matcher(patterns),
                                 ref=_context_ref(self.opts.context))

    # --- one stage ------------------------------------------------------------------------------
    def _run_stage(self, st, multi: bool) -> State:
        prefix = f"{st.label} " if multi else ""
        self.args, self.workdir_set = {}, False
        state = self._base_state(st)
        instructions = self._triggers(state, st) + st.instructions
        # BuildKit counts the steps that make a vertex: FROM an image, RUN, COPY, ADD,
        # WORKDIR; the number is padded to the width of the total ([ 2/10])
        counted = [i for i in instructions if i.cmd in STEP_CMDS]
        total = len(counted) + (st.base[0] == "image")
        width = len(str(total))
        n = 0
        if st.base[0] == "image":
            n += 1
            self._from_vertex(f"[{prefix}{n:>{width}}/{total}] FROM {st.base[1]}", state.key)
        for inst in instructions:
            name = None
            if inst.cmd in STEP_CMDS:
                n += 1
                name = f"[{prefix}{n:>{width}}/{total}] {self._shown(inst, state)}"
            try:
                state = self._step(st, state, inst, name)
            except BuildError as e:
                raise e.at(inst.lines)
        return state

    def _base_state(self, st) -> State:
        kind = st.base[0]
        if kind == "scratch":
            return State.scratch(cache.root_key("scratch"))
        if kind == "stage":
            parent = self.states[st.base[1]]
            return parent.child(parent.key)
        img = self.images[st.base[1]]
        return State.of_image(self.engine, img, cache.root_key("from", img.id))

    def _triggers(self, state: State, st) -> list:
        """A base image's ONBUILD instructions run first, then are spent."""
        texts = state.config.get("OnBuild") or []
        if not texts:
            return []
        out = []
        for text in texts:
            try:
                parsed = dockerfile.parse(text).instructions
            except BuildError as e:
                raise BuildError(f"failed to process ONBUILD trigger {text!r}: {e.message}",
                                 lines=st.from_inst.lines) from None
            for inst in parsed:
                inst.start, inst.end = st.from_inst.start, st.from_inst.end
                out.append(inst)
        state.config["OnBuild"] = None
        state.image_id = None
        state.key = cache.key(state.key, "ONBUILD-consumed")
        return out

    def _from_vertex(self, name: str, key: str) -> None:
        v = self.progress.vertex(name)
        if not self.opts.no_cache and self.cache.get(key):
            v.cached()
            return
        self.cache.put(key, cache.Record(timeutil.now()))
        v.done()

    def _shown(self, inst, state: State) -> str:
        """How BuildKit names the step: the instruction as written, keyword upper-cased,
        the variables it knows replaced."""
        rest = inst.original[len(inst.keyword):]
        return inst.cmd + _expand_known(rest, self._env(state))

    def _env(self, state: State) -> dict[str, str]:
        """What ${VAR} sees: the ARGs in scope, and ENV (which wins over an ARG)."""
        env = {k: v for k, v in self.args.items() if v is not None}
        env.update(state.env())
        return env

    def _step(self, st, state: State, inst, name: str | None) -> State:
        cmd = inst.cmd
        if cmd in metadata.APPLY:
            return self._metadata(state, inst)
        if cmd == "ARG":
            return self._arg(state, inst)
        for flag in UNSUPPORTED_FLAGS.get(cmd, ()):
            if flag in inst.flags:
                raise BuildError(f"the --{flag} option of {cmd} is not supported by "
                                 "dockerlings")
        if cmd == "WORKDIR":
            return self._workdir(state, inst, name)
        if cmd == "RUN":
            return self._run(state, inst, name)
        return self._copy(st, state, inst, name)

    def _created(self, key: str) -> str:
        rec = None if self.opts.no_cache else self.cache.get(key)
        if rec is not None:
            return rec.created
        created = timeutil.now()
        self.cache.put(key, cache.Record(created))
        return created

    # --- config-only instructions ---------------------------------------------------------------
    def _metadata(self, state: State, inst) -> State:
        new = state.child("")
        payload, created_by = metadata.APPLY[inst.cmd](new, inst, self._env(state))
        new.key = cache.key(state.key, inst.cmd, json.dumps(payload))
        new.add_history(created_by, self._created(new.key), empty=True)
        return new

    def _arg(self, state: State, inst) -> State:
        env = self._env(state)
        shown, resolved = [], []
        for name, default in inst.pairs:
            value = expand(default, env) if default is not None else None
            shown.append(name if value is None else f"{name}={value}")
            if name in self.opts.build_args:
                value = self.opts.build_args[name]
            elif value is None and (name in self.meta_declared or
                                    name in stages_mod.platform_args()):
                value = self.meta.get(name)
            self.args[name] = value
            resolved.append((name, value))
        new = state.child(cache.key(state.key, "ARG", json.dumps(resolved)))
        new.add_history("ARG " + " ".join(shown), self._created(new.key), empty=True)
        return new

    # --- steps that make layers --------------------------------------------------------------------
    def _layer_step(self, parent: State, new: State, name: str, make) -> cache.Record:
        """One step in its progress vertex: from the cache, or by `make(vertex)`, which
        returns the layer it made (or None when nothing changed)."""
        v = self.progress.vertex(name)
        rec = None if self.opts.no_cache else self.cache.get(new.key)
        if rec is not None:
            v.cached()
        else:
            try:
                layer = make(v)
            except BuildError as e:
                v.error(e.detail or e.message)
                e.step, e.logs = name, v.logs
                raise
            except EngineError as e:
                v.error(e.message)
                raise BuildError(e.message, step=name, logs=v.logs, hint=e.hint) from None
            except KeyboardInterrupt:
                v.canceled()
                raise
            rec = cache.Record(timeutil.now(), layer)
            self.cache.put(new.key, rec)
            v.done()
        if rec.layer:
            new.add_layer(rec.layer)
        return rec

    def _commit(self, parent: State, upper) -> dict | None:
        if not os.listdir(upper):
            return None
        from ..containers.commit import layer_from_dir
        layer, blob = layer_from_dir(self.engine, parent.layers[-1] if parent.layers else None,
                                     upper)
        return {"chain": layer.chain_id, "diff_id": layer.diff_id, "blob": blob}

    def _in_rootfs(self, parent: State, job, sources: dict | None = None):
        """make() for a step that works on the file system itself (COPY, ADD, WORKDIR)."""
        def make(v):
            from . import rootfs_job
            staging = rootfs_job.Staging(self.engine)
            try:
                rootfs_job.run(staging, parent.layers, job, sources)
                return self._commit(parent, staging.upper)
            finally:
                staging.remove()
        return make

    def _workdir(self, state: State, inst, name: str) -> State:
        path = expand(inst.args[0], self._env(state))
        if not path.startswith("/") and not self.workdir_set:
            self.warnings.append(("WorkdirRelativePath", f'Relative workdir "{path}" can '
                                  "have unexpected results if the base image changes",
                                  inst.start))
        self.workdir_set = True
        wd = rootpath.clean(posixpath.join(state.workdir, path))
        user = state.user
        new = state.child(cache.key(state.key, "WORKDIR", wd, user))
        new.config["WorkingDir"] = wd
        rec = self._layer_step(state, new, name, self._in_rootfs(
            state, lambda root, _: _workdir_job(root, wd, user)))
        new.add_history(f"WORKDIR {wd}", rec.created, empty=rec.layer is None)
        return new

    def _run(self, state: State, inst, name: str) -> State:
        argv = self._run_argv(state, inst)
        args = [(k, v) for k, v in self.args.items() if v is not None]
        env = list(state.config.get("Env") or [])
        known = state.env()
        env += [f"{k}={v}" for k, v in args if k not in known]
        network = inst.flags.get("network") or self.opts.network
        network = "none" if network in ("default", "none", "") else network
        new = state.child(cache.key(state.key, "RUN", json.dumps(argv), json.dumps(args),
                                    network))

        def make(v):
            from . import runstep  # containers: imported only when a RUN really runs
            c = runstep.run(self.engine, state, argv, env, v, network)
            try:
                return self._commit(state, c.upper)
            finally:
                c.remove()
        rec = self._layer_step(state, new, name, make)
        shown = [f"{k}={known.get(k, v)}" for k, v in args]
        prefix = f"|{len(shown)} {' '.join(shown)} " if shown else ""
        new.add_history(f"RUN {prefix}{' '.join(argv)} # buildkit", rec.created,
                        empty=rec.layer is None)
        return new

    @staticmethod
    def _run_argv(state: State, inst) -> list[str]:
        if inst.json or not inst.heredocs:
            return metadata.command_line(state, inst)
        text = inst.args[0]
        docs = inst.heredocs
        if len(docs) == 1 and text.strip() == docs[0].word:
            script = docs[0].content           # RUN <<EOF: the body is the script
        else:
            script = text + "\n" + "".join(d.content + d.name + "\n" for d in docs)
        return state.shell() + [script]

    # --- COPY and ADD ---------------------------------------------------------------------------------
    def _copy(self, st, state: State, inst, name: str) -> State:
        env = self._env(state)
        chown = expand(inst.flags["chown"], env) if "chown" in inst.flags else None
        chmod_text = expand(inst.flags["chmod"], env) if "chmod" in inst.flags else None
        words = [a if _heredoc_word(inst, a) else expand(a, env) for a in inst.args]
        srcs, dest_written = words[:-1], words[-1]
        into_dir = dest_written in (".", "") or dest_written.endswith(("/", "/."))
        if len(srcs) > 1 and not into_dir:
            raise BuildError(f"When using {inst.cmd} with more than one source file, the "
                             "destination must be a directory and end with a /")
        dest = rootpath.clean(posixpath.join(state.workdir, dest_written))
        with _Scratch(self.engine) as tmp:
            make, key_parts = self._copy_plan(st, inst, srcs, dest, into_dir, chown,
                                              chmod_text, env, tmp, state)
            new = state.child(cache.key(state.key, inst.cmd, json.dumps(key_parts)))
            rec = self._layer_step(state, new, name, make)
        flags = (f" --chown={chown}" if chown else "") + \
            (f" --chmod={chmod_text}" if chmod_text else "")
        new.add_history(f"{inst.cmd}{flags} {' '.join(srcs)} {dest_written} # buildkit",
                        rec.created, empty=rec.layer is None)
        return new

    def _copy_plan(self, st, inst, srcs, dest, into_dir, chown, chmod_text, env, tmp, state):
        """make() for the step and its cache key parts. A source that cannot be found
        fails inside the step's own vertex, as in BuildKit, with a key no cache has."""
        from .copyop import CopyPlan
        from .files import parse_chmod
        add = inst.cmd == "ADD"
        try:
            chmod = parse_chmod(chmod_text) if chmod_text is not None else None
            sources, parts, roots = self._sources(st, inst, srcs, add, env, tmp)
        except BuildError as e:
            def fail(v, e=e):
                raise e
            return fail, {"error": os.urandom(8).hex()}
        plan = CopyPlan(sources, dest, into_dir, chown, chmod)
        return self._in_rootfs(state, plan, roots), {
            "src": parts, "dest": dest, "dir": into_dir, "chown": chown, "chmod": chmod,
            "unpack": add}

    def _sources(self, st, inst, srcs: list[str], add: bool, env: dict, tmp: str):
        """The sources of a COPY/ADD, the parts of its cache key that describe what they
        read, and the layers of the stages or images it reads from."""
        from .copyop import Source
        origin = st.copy_from.get(id(inst))
        if origin is None and "from" in inst.flags:      # a COPY --from an ONBUILD trigger
            origin = stages_mod.copy_source(st, inst, self.stages, self.meta)
            if origin[0] == "image" and origin[1] not in self.images:
                self.images[origin[1]] = self._image(origin[1], origin[2], inst, st)
        if origin is not None:
            layers, key_part = self._origin(origin)
            return ([Source("root", root="from", path=s) for s in srcs],
                    [key_part, srcs], {"from": layers})
        sources, parts = [], []
        for src in srcs:
            doc = _heredoc_word(inst, src)
            if doc is not None:
                sources.append(self._heredoc_source(doc, env, tmp))
                parts.append(["heredoc", doc.name, _sha(doc.content)])
            elif remote.is_git(src):
                raise BuildError(f"dockerlings cannot fetch git repositories: {src}")
            elif remote.is_url(src):
                if not add:
                    raise BuildError("source can't be a URL for COPY")
                path, digest, mtime = remote.download(src, tmp)
                sources.append(Source("file", path=path, name=remote.file_name(src)))
                parts.append(["url", src, digest, mtime])
            else:
                sources.append(self._context_source(src, add, parts))
        return sources, parts, {}

    def _context_source(self, src: str, add: bool, parts: list):
        if context.outside(src):
            raise BuildError(f"forbidden path outside the build context: {src} ()",
                             hint=f"COPY and ADD read only from the build context (the "
                             f"folder given to docker build): {src} is outside it. Move "
                             "the file into that folder, or build from a folder that holds "
                             "both (with -f for the Dockerfile).")
        from .copyop import Source
        self._announce_context()
        entries = self.tree.find(src)
        digest, _ = context.digest(self.tree, entries)
        parts.append(["context", src, digest])
        return Source("context", tree=self.tree, entries=entries, unpack=add)

    def _announce_context(self) -> None:
        """BuildKit's `[internal] load build context` vertex, once, when a step first
        reads from the context."""
        if self.context_loaded:
            return
        self.context_loaded = True
        v = self.progress.vertex("[internal] load build context")
        v.status(f"transferring context: {human_bytes(_context_size(self.tree))}")
        v.done()

    def _heredoc_source(self, doc, env: dict, tmp: str):
        from .copyop import Source
        content = expand_raw(doc.content, env) if doc.expand else doc.content
        path = os.path.join(tmp, f"heredoc-{os.urandom(6).hex()}")
        with open(path, "w") as f:
            f.write(content)
        os.chmod(path, 0o644)
        os.utime(path, (0, 0))          # fixed: the same heredoc makes the same layer
        return Source("file", path=path, name=doc.name)

    def _origin(self, origin: tuple) -> tuple[list[str], str]:
        if origin[0] == "stage":
            s = self.states[origin[1]]
            return s.layers, s.key
        img = self.images[origin[1]]
        return list(img.layers), img.id

    # --- the image ---------------------------------------------------------------------------------
    def _export(self, state: State) -> Result:
        v = self.progress.vertex("exporting to image")
        if self.opts.labels:
            state = state.child(state.key)
            state.config["Labels"] = {**(state.config.get("Labels") or {}),
                                      **self.opts.labels}
        v.status("exporting layers", v.elapsed())
        if state.image_id is not None:
            image_id = state.image_id
        else:
            image_id = state.store(self.engine)[0].id
        v.status(f"writing image {image_id}")
        with lock.locked(self.engine.paths.lock):
            refs = self.engine.images.refs()
            for tag in self.opts.tags:
                if refs.get(tag) != image_id:
                    self.engine.images.set_ref(tag, image_id)
        for tag in self.opts.tags:
            v.status(f"naming to {tag}")
        v.done()
        return Result(image_id, list(self.opts.tags), self.warnings, self.hints)


class _Scratch:
    """A folder for a step's downloads and heredocs, gone when the step is; named so
    that `engine fsck` removes it if the build dies first."""

    def __init__(self, engine):
        self.path = str(engine.paths.root / f".new-{os.getpid()}-build-{os.urandom(6).hex()}")

    def __enter__(self) -> str:
        os.mkdir(self.path, 0o700)
        return self.path

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def _workdir_job(root: str, wd: str, user: str) -> None:
    from .files import workdir
    workdir(root, wd, user)


def _heredoc_word(inst, word: str):
    for doc in inst.heredocs:
        if doc.word == word:
            return doc
    return None


def _expand_known(text: str, env: dict) -> str:
    """$VAR and ${VAR} replaced when VAR is known; quotes and anything else left
    exactly as written (how BuildKit names steps)."""
    import re

    def repl(m):
        name = m.group(1) or m.group(2)
        return env[name] if name in env else m.group(0)
    return re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)", repl, text)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _context_ref(root: str | None) -> str:
    """An ID for the context in BuildKit's error messages (stable for one folder)."""
    h = hashlib.sha256((root or "").encode()).hexdigest()
    return f"{h[:25]}::{h[25:50]}"


def _context_size(tree) -> int:
    """Bytes of the files in the context (what Docker would transfer)."""
    if tree is None or tree.root is None:
        return 0
    return sum(st.st_size for _, _, st in tree.walk(context.Entry("", "", tree.root))
               if stat.S_ISREG(st.st_mode))
