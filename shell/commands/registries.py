"""docker pull, push, login, logout and search: the docker CLI's half (its checks, its
words, the progress it draws); the engine's half is engine/distribution."""
from __future__ import annotations

from engine.images import reference
from engine.distribution import credentials
from engine.distribution.registry import RegistryError, Unreachable
from engine.errors import CliError

from ..cli.parser import Invocation
from ..conversation import filters_param
from ..render.progress import LayerProgress


def _default_tag(env, inv: Invocation, text: str) -> None:
    if not inv.all_tags and ":" not in text.split("/")[-1] and "@" not in text:
        env.out("Using default tag: latest")


# --- pull ------------------------------------------------------------------------------

def pull(env, inv: Invocation) -> int:
    text = inv.args[0]
    ref = reference.parse(text, default_tag=None if inv.all_tags else "latest")
    if inv.all_tags and (ref.tag or ref.digest):
        raise CliError("tag can't be used with --all-tags/-a")
    _default_tag(env, inv, text)
    # one request, whose answer streams the pull of every tag asked for
    with env.api.request("POST", "/images/create", fromImage=ref.name,
                         platform=(inv.platform or "").lower() or None,
                         tag=None if inv.all_tags else (ref.digest or ref.tag)):
        refs = [ref] if not inv.all_tags else _all_tags(env, ref)
        for one in refs:
            shown = LayerProgress(env)
            quiet = inv.quiet
            env.engine.pull(str(one), progress=None if quiet else shown.say,
                            event=None if quiet else shown, platform=inv.platform,
                            environ=env.environ)
            if not inv.all_tags:
                env.out(str(one))
    if inv.all_tags:
        env.out(ref.name)
    return 0


def _all_tags(env, ref) -> list:
    from engine.distribution.pull import all_tags
    try:
        return all_tags(ref, env.environ)
    except (RegistryError, Unreachable) as e:
        raise CliError(f"Error response from daemon: {e.message}") from None


# --- push ------------------------------------------------------------------------------

def push(env, inv: Invocation) -> int:
    from engine.distribution import push as pushing
    text = inv.args[0]
    ref = reference.parse(text, default_tag=None if inv.all_tags else "latest")
    if inv.all_tags and ref.tag:
        raise CliError("tag can't be used with --all-tags/-a")
    if ref.digest:
        raise CliError("cannot push a digest reference")
    _default_tag(env, inv, text)
    eng = env.engine
    # one request for every tag; the daemon's answer begins with the first message
    with env.api.request("POST", f"/images/{ref.name}/push",
                         tag=None if inv.all_tags else ref.tag) as answer:
        for one in pushing.refs_to_push(eng, ref, inv.all_tags):
            shown = LayerProgress(env)
            try:
                pushing.push(eng, one, say=_begins(answer, None if inv.quiet else shown.say),
                             event=_begins(answer, None if inv.quiet else shown),
                             environ=env.environ)
            except RegistryError as e:
                if e.status in (401, 403):
                    raise RegistryError(
                        "denied: requested access to the resource is denied"
                        if credentials.get(one.domain, env.environ) is None else e.message,
                        e.status, hint=_login_hint(one)) from None
                raise
            if inv.quiet:
                env.out(str(one))
    return 0


def _begins(answer, show):
    """A progress callback that notes the answer has begun (a stream, its status sent)."""
    def call(*args):
        answer.begun = True
        if show:
            show(*args)
    return call


def _login_hint(ref) -> str:
    server = "" if ref.domain == "docker.io" else f" {ref.domain}"
    return (f"the registry wants to know who you are before it takes a push: "
            f"docker login{server}, then push again")


# --- login / logout --------------------------------------------------------------------

def _server(inv: Invocation) -> str:
    """The registry's domain from the SERVER argument (a host, or a URL)."""
    return credentials.domain_of(inv.args[0] if inv.args else "")


def login(env, inv: Invocation) -> int:
    user, password = inv.username, inv.password
    if inv.password_stdin:                       # the docker CLI 28's words and order
        if password is not None:
            raise CliError("conflicting options: cannot specify both --password and "
                           "--password-stdin")
        if not user:
            raise CliError("the --password-stdin option requires --username to be set")
    if password is not None:
        env.err("WARNING! Using --password via the CLI is insecure. Use --password-stdin.")
    if inv.password_stdin:
        password = env.stdin.read().decode("utf-8", "replace").rstrip("\r\n")
        if not password.strip():
            password = None                      # nothing given: asked for, as docker does
    domain = _server(inv)
    if not user or password is None:
        stored = credentials.get(domain, env.environ)
        if stored and (not user or user == stored[0]):
            return _verify_and_say(env, domain, stored, store=False)
        if not env.stdin_tty:
            raise CliError("Error: Cannot perform an interactive login from a non TTY device")
        user, password = _prompt(env, user)
    return _verify_and_say(env, domain, (user, password), store=True)


def _prompt(env, user: str | None) -> tuple[str, str]:
    import getpass
    if not user:
        env.out("Username: ", end="")
        user = env.stdin.readline().decode().strip()
        if not user:
            raise CliError("Error: Non-null Username Required")
    password = getpass.getpass("Password: ")
    if not password:
        raise CliError("Error: Password Required")
    return user, password


def _verify_and_say(env, domain: str, login: tuple[str, str], store: bool) -> int:
    from engine.distribution.registry import check_login
    with env.api.request("POST", "/auth"):       # the daemon asks the registry
        check_login(domain, login, env.environ)
    if store:
        clear = credentials.store(domain, login[0], login[1], env.environ)
        if clear:
            env.err(f"\nWARNING! Your credentials are stored unencrypted in '{clear}'.\n"
                    "Configure a credential helper to remove this warning. See\n"
                    "https://docs.docker.com/go/credential-store/\n")
    env.out("Login Succeeded")
    return 0


def logout(env, inv: Invocation) -> int:
    domain = _server(inv)
    shown = credentials.server_key(domain)
    env.out(f"Removing login credentials for {shown}")      # said whether or not there were
    credentials.erase(domain, env.environ)
    return 0


# --- search ----------------------------------------------------------------------------

class SearchRow:
    __go_type__ = "*formatter.searchContext"
    HEADERS = {"Name": "NAME", "Description": "DESCRIPTION", "StarCount": "STARS",
               "IsOfficial": "OFFICIAL"}
    DEFAULT = "table {{.Name}}\t{{.Description}}\t{{.StarCount}}\t{{.IsOfficial}}"

    def __init__(self, doc: dict, trunc: bool):
        from ..render.units import ellipsis
        self.Name = str(doc.get("name", ""))
        desc = str(doc.get("description") or "").replace("\n", " ")
        self.Description = ellipsis(desc, 45) if trunc else desc
        self.StarCount = str(int(doc.get("star_count") or 0))
        self.IsOfficial = "[OK]" if doc.get("is_official") else ""

    def __json__(self):
        return {"Description": self.Description, "IsOfficial": self.IsOfficial,
                "Name": self.Name, "StarCount": self.StarCount}


def search(env, inv: Invocation) -> int:
    from engine.distribution.search import search as searching
    filters: dict[str, list[str]] = {}
    for key, value in inv.filter or ():
        filters.setdefault(key, []).append(value)
    with env.api.request("GET", "/images/search", filters=filters_param(inv.filter),
                         limit=inv.limit or None, term=inv.args[0]):
        results = searching(inv.args[0], inv.limit or 0, filters, env.environ)
    rows = [SearchRow(r, not inv.no_trunc) for r in results]
    from .containers import render_rows
    env.out(render_rows(inv.format or SearchRow.DEFAULT, rows, SearchRow), end="")
    return 0
