"""docker images, pull, tag, rmi, history, image prune and commit."""
from __future__ import annotations

import fnmatch
import time

from engine.containers import commit as commits
from engine.images import reference
from engine.errors import EngineError, InvalidReference, NoSuchImage

from ..cli.parser import Invocation
from ..cli.report import message_of
from ..conversation import filters_param
from ..render import views
from .containers import daemon_error, render_rows, template_check

IMAGE_SUBCOMMANDS = ("ls", "rm", "inspect", "list", "prune", "pull", "push", "save", "load",
                     "tag", "build", "history", "import")


def _image_filters(inv: Invocation) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in inv.filter:
        if key not in ("dangling", "reference", "label", "before", "since"):
            raise daemon_error(f"invalid filter '{key}'")
        out.setdefault(key, []).append(value)
    return out


def _reference_matches(pattern: str, familiar: str) -> bool:
    """Docker matches `docker images busybox` against the repository, and
    `busybox:1.36` against repository:tag, as path globs."""
    repo, _, tag = familiar.rpartition(":") if ":" in familiar.split("/")[-1] else (familiar, "", "")
    if ":" in pattern.split("/")[-1]:
        return fnmatch.fnmatchcase(familiar, pattern)
    return fnmatch.fnmatchcase(repo, pattern)


def ls(env, inv: Invocation) -> int:
    eng = env.engine
    fmt = inv.format or ""
    if inv.quiet and fmt:
        env.err("WARNING: Ignoring custom format, because both --format and --quiet are set.")
        fmt = ""
    if inv.quiet:
        fmt = "{{.ID}}"
    default = views.ImageRow.DEFAULT_DIGESTS if inv.digests else views.ImageRow.DEFAULT
    fmt = fmt or default
    pairs = list(inv.filter) + ([("reference", inv.args[0])] if inv.args else [])
    with env.api.request("GET", "/images/json", all=inv.all, filters=filters_param(pairs)):
        filters = _image_filters(inv)
        images = eng.list_images()
    if inv.args:
        filters.setdefault("reference", []).append(inv.args[0])
    images = sorted(images, key=lambda i: i.created, reverse=True)
    parents = {i.parent for i in images if i.parent}
    rows = []
    now = time.time()
    for img in images:
        # pulled by digest, untagged: listed under its repository, as Docker does
        named = img.repo_tags or [d.split("@", 1)[0] + ":<none>" for d in img.repo_digests]
        dangling = not named
        if "dangling" in filters:
            want = filters["dangling"][-1].lower() in ("true", "1")
            if dangling != want:
                continue
        if dangling and img.id in parents and not inv.all:
            continue                       # an intermediate image: shown with -a only
        if "label" in filters and not _labels_match(img, filters["label"]):
            continue
        tags = named or ["<none>:<none>"]
        for t in tags:
            if "reference" in filters and (dangling or not any(
                    _reference_matches(p, t) for p in filters["reference"])):
                continue
            repo, _, tag = t.rpartition(":")
            rows.append(views.ImageRow(img, repo, tag, not inv.no_trunc, now))
    out = render_rows(fmt, rows, views.ImageRow)
    if out:
        env.out(out, end="")
    if inv.args and not rows and inv.args[0] in IMAGE_SUBCOMMANDS:
        env.err(f'\nNo images found matching "{inv.args[0]}": did you mean '
                f'"docker image {inv.args[0]}"?')
    return 0


def _labels_match(img, wanted: list[str]) -> bool:
    labels = (img.run_config.get("Labels") or {})
    for w in wanted:
        k, sep, v = w.partition("=")
        if k not in labels or (sep and labels[k] != v):
            return False
    return True


def tag(env, inv: Invocation) -> int:
    try:
        target = reference.parse(inv.args[1])
    except InvalidReference:            # the CLI's own refusal: nothing is sent
        target = None
    if target is None:
        env.engine.tag(inv.args[0], inv.args[1])
        return 0
    with env.api.request("POST", f"/images/{inv.args[0]}/tag", 201, repo=target.name,
                         tag=target.tag):
        env.engine.tag(inv.args[0], inv.args[1])
    return 0


def rm(env, inv: Invocation) -> int:
    eng = env.engine
    errors = []
    for name in inv.args:
        try:
            with env.api.request("DELETE", f"/images/{name}", force=inv.force,
                                 noprune=inv.no_prune):
                done = eng.remove_image(name, force=inv.force, prune=not inv.no_prune)
            for kind, what in done:
                env.out(f"{kind}: {what}")
        except EngineError as e:
            if inv.force and isinstance(e, NoSuchImage):
                env.err(message_of(e))
                continue
            errors.append(e)
    if errors:
        from .containers import report_all
        report_all(env, inv, errors)
        return 1
    return 0


def history(env, inv: Invocation) -> int:
    eng = env.engine
    with env.api.request("GET", f"/images/{inv.args[0]}/history"):
        rows = eng.history(inv.args[0])
    fmt = inv.format or ""
    if inv.quiet:
        fmt = "{{.ID}}"
    human = inv.human
    fmt = fmt or (views.HistoryRow.DEFAULT if human else views.HistoryRow.DEFAULT_RAW)
    template_check(fmt, views.HistoryRow.__go_type__)
    now = time.time()
    out = render_rows(fmt, [views.HistoryRow(r, not inv.no_trunc, human, now) for r in rows],
                      views.HistoryRow)
    if out:
        env.out(out, end="")
    return 0


def prune(env, inv: Invocation) -> int:
    from .containers import _confirm, pruned
    warning = ("WARNING! This will remove all images without at least one container "
               "associated to them." if inv.all else
               "WARNING! This will remove all dangling images.")
    if not inv.force and not _confirm(env, warning):
        return 0
    with env.api.request("POST", "/images/prune",
                         filters=filters_param(list(inv.filter) +
                                               [("dangling", str(not inv.all).lower())])):
        records, reclaimed = env.engine.prune_images(all_images=inv.all)
    return pruned(env, "Images", [f"{kind}: {what}" for kind, what in records], reclaimed)


def commit(env, inv: Invocation) -> int:
    eng = env.engine
    repo_tag = inv.args[1] if len(inv.args) > 1 else None
    ref = None
    if repo_tag:
        try:
            ref = reference.parse(repo_tag)
        except InvalidReference as e:
            raise InvalidReference(str(e)) from None
    with env.api.request("POST", "/commit", 201, author=inv.author or "",
                         changes=list(inv.change or ()), comment=inv.message or "",
                         container=inv.args[0], pause=None if inv.pause else "0",
                         repo=ref.name if ref else "", tag=(ref.tag or "") if ref else ""):
        c = eng.container(inv.args[0])
        image_id = commits.commit(eng, c, repo_tag, message=inv.message or "",
                                  author=inv.author or "", changes=inv.change,
                                  pause=inv.pause)
    env.out(image_id)
    return 0
