"""docker inspect, container inspect, image inspect."""
from __future__ import annotations

import json

from engine.containers import inspect as documents
from engine.errors import CliError, EngineError, NoSuchContainer, NoSuchImage, NotFound

from ..cli.parser import Invocation
from ..cli.report import message_of
from ..render import gotemplate


def go_json_indent(obj) -> str:
    """json.Indent with four spaces, and Go's escaping of <, > and & in strings."""
    text = json.dumps(obj, indent=4, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _print(env, inv: Invocation, docs: list, errors: list[str]) -> int:
    if inv.format:
        try:
            tmpl = gotemplate.compile(inv.format)
        except gotemplate.TemplateError as e:
            env.err(f"template parsing error: {e}")
            return 64
        for d in docs:
            try:
                env.out(tmpl.execute(d))
            except gotemplate.TemplateError as e:
                env.err(str(e))
                return 1
    else:
        env.out(go_json_indent(docs))
    if errors:
        env.err("\n".join(errors))
        return 1
    return 0


def _container_doc(env, name: str, size: bool) -> dict:
    eng = env.engine
    with env.api.request("GET", f"/containers/{name}/json", size=size):
        return documents.container(eng, eng.container(name), size=size)


def _image_doc(env, name: str) -> dict:
    eng = env.engine
    with env.api.request("GET", f"/images/{name}/json"):
        return documents.image(eng, eng.get_image(name))


def _network_doc(env, name: str) -> dict:
    with env.api.request("GET", f"/networks/{name}"):
        return documents.network(env.engine.network(name))


def _volume_doc(env, name: str) -> dict:
    with env.api.request("GET", f"/volumes/{name}"):
        return env.engine.volume(name)


def container(env, inv: Invocation) -> int:
    docs, errors = [], []
    for name in inv.args:
        try:
            docs.append(_container_doc(env, name, inv.size))
        except EngineError as e:
            errors.append(message_of(e))
    return _print(env, inv, docs, errors)


def image(env, inv: Invocation) -> int:
    docs, errors = [], []
    for name in inv.args:
        try:
            docs.append(_image_doc(env, name))
        except EngineError as e:
            errors.append(message_of(e))
    return _print(env, inv, docs, errors)


def any(env, inv: Invocation) -> int:
    kind = inv.type
    if kind and kind not in ("container", "image", "network", "volume"):
        raise CliError(f'unknown type: "{kind}": must be one of "config", "container", '
                       '"image", "network", "node", "plugin", "secret", "service", "task", '
                       '"volume"')
    docs, errors = [], []
    for name in inv.args:
        try:
            if kind == "image":
                docs.append(_image_doc(env, name))
            elif kind == "container":
                docs.append(_container_doc(env, name, inv.size))
            elif kind == "network":
                docs.append(_network_doc(env, name))
            elif kind == "volume":
                docs.append(_volume_doc(env, name))
            else:
                docs.append(_either(env, name, inv.size))
        except EngineError as e:
            errors.append(message_of(e) if kind else str(e))
    return _print(env, inv, docs, errors)


def _either(env, name: str, size: bool) -> dict:
    """Docker's order when no --type is given: container, image, network, volume."""
    try:
        return _container_doc(env, name, size)
    except NoSuchContainer:
        pass
    try:
        return _image_doc(env, name)
    except NoSuchImage:
        pass
    try:
        return _network_doc(env, name)
    except NotFound:
        pass
    try:
        return _volume_doc(env, name)
    except NotFound:
        # the docker CLI goes on to swarm objects when swarm is on (it asks /info),
        # and to plugins, which this engine has none of
        env.api.said("GET", "/info")
        env.api.said("GET", f"/plugins/{name}/json", 404)
        raise CliError(f"Error: No such object: {name}") from None
