"""Build the Dash app and its server; run `python app.py` (or `pmf serve`) to serve it."""

from __future__ import annotations

import errno
import gc
import json
import logging
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dash
import flask
import plotly.io
from dash._utils import to_json

from access.headers import install_security_headers
from access.identity import IdentityProvider
from access.not_found import install_not_found
from access.session import current_viewer
from access.sso import SignInMisconfigured, sign_out_targets
from access.users import LocalPasswordProvider
from access.web import MissingSecretKey, install_access
from jobs.service import SchedulerService
from layouts._components.shell import shell
from layouts._first_page import first_page, with_page
from layouts._plotly_bundle import serve_basic_plotly
from layouts._runtime import CONFIG_KEY, Cache, Runtime
from metrics.registry.loader import load_registry
from metrics.writes import Writes
from warehouse.engine import database_path, default_database_url, dispose_engine, get_engine
from warehouse.recovery import abandon_unfinished_runs
from warehouse.schema import create_tables

HERE = Path(__file__).resolve().parent
LOG = logging.getLogger("pmf")
CONNECTION_LIMIT = 1000  # open connections waitress accepts at once (embedded mode)

INDEX_TEMPLATE = """<!DOCTYPE html>
<html lang="en-GB">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
        <link rel="preload" href="{prefix}_dash-layout" as="fetch" crossorigin="anonymous">
        <link rel="preload" href="{prefix}_dash-dependencies" as="fetch" crossorigin="anonymous">
    </head>
    <body>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""


def create_app(
    config_dir: str | Path | None = None,
    database_url: str | None = None,
    identity: IdentityProvider | None = None,
) -> dash.Dash:
    """Build the app: validate the registry, make sure the tables exist, register the pages.

    People sign in through `identity` (default: local accounts made with `pmf users add`).
    """
    registry = load_registry(config_dir)
    database_url = database_url or default_database_url()
    engine = get_engine(database_url)
    create_tables(engine)
    app = dash.Dash(
        __name__,
        use_pages=True,
        pages_folder=str(HERE / "layouts"),
        # Bootstrap's CSS is served from assets/, so the dashboard needs no internet access
        assets_folder=str(HERE / "layouts" / "assets"),
        suppress_callback_exceptions=True,
        title="PMF",
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
    )
    # The page's layout and the callback list are asked for as the page starts, not once every
    # script has run: the server draws the page while the browser runs its scripts
    # (layouts._first_page), and both answers are there when Dash's renderer asks for them
    app.index_string = INDEX_TEMPLATE.replace("{prefix}", app.config.requests_pathname_prefix)
    # Dash serialises every callback answer with plotly's encoder. With orjson installed
    # plotly first walks the whole answer in Python to clean it (a third of a page's time);
    # the standard library's C encoder gives the same JSON without the walk.
    plotly.io.json.config.default_engine = "json"

    writes = Writes(registry=registry, engine=engine)
    app.server.config[CONFIG_KEY] = Runtime(registry=registry, engine=engine, writes=writes)
    install_access(
        app.server, registry, engine, database_url, identity or LocalPasswordProvider(engine)
    )
    install_security_headers(app.server, app.csp_hashes, sign_out_targets(registry.settings))
    install_not_found(app.server, registry)

    def layout() -> object:
        # A function, so the header shows who is signed in and only the pages they may open
        return shell(registry.plan.organisation.name, registry.plan.plan.name, current_viewer())

    app.layout = layout
    answer_from_memory(app)
    serve_basic_plotly(app.server, app.config.routes_pathname_prefix)
    keep_fingerprinted_assets(app.server)
    return app


ASSET_LIFETIME = 31536000  # seconds (a year): a changed file is asked for under a new address


def keep_fingerprinted_assets(server: flask.Flask) -> None:
    """Let browsers keep the stylesheets and scripts of assets/ that Dash names by version.

    Dash adds the file's modification time to each asset's address (`?m=`), as it names its
    own bundles by version (which it already serves to be kept for a year), so a changed file
    is a new address. Without this, every page load asks again for each of them before any
    script runs, and waits for the answer that nothing has changed.
    """

    @server.after_request
    def keep(response: flask.Response) -> flask.Response:
        request = flask.request
        if (
            request.path.startswith("/assets/")
            and "m" in request.args
            and response.status_code in (200, 304)
        ):
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = ASSET_LIFETIME
            response.cache_control.immutable = True
        return response


CACHED_LAYOUTS = 64  # the page frame, serialised, for this many viewers per process


def answer_from_memory(app: dash.Dash) -> None:
    """Serve `/_dash-dependencies` and `/_dash-layout` from bytes made once, not on every load.

    Every page load asks for both, and Dash serialises them afresh each time: the callback list
    is the same for everyone once the app has started, and the frame (header, navigation,
    footer) depends only on who is asking, so each is serialised once per process (the frame
    once per viewer) and the same bytes are answered after. When the browser names the page it
    is loading, the page is drawn into the frame (layouts._first_page) rather than asked for in
    a callback after it.
    """
    server = app.server
    prefix = app.config.routes_pathname_prefix
    dependencies_view = server.view_functions[prefix + "_dash-dependencies"]
    layout_view = server.view_functions[prefix + "_dash-layout"]
    dependencies: list[tuple[bytes, str]] = []
    frames: Cache[tuple[bytes, str, Any]] = Cache(CACHED_LAYOUTS)

    def made_once(view: Callable[[], flask.Response]) -> tuple[bytes, str]:
        answer = view()
        return answer.get_data(), answer.headers["Content-Type"]

    def answer(made: tuple[bytes, str]) -> flask.Response:
        body, content_type = made
        return flask.Response(body, content_type=content_type)

    def serve_dependencies() -> flask.Response:
        # Callbacks are all registered before the first request is answered
        if not dependencies:
            dependencies.append(made_once(dependencies_view))
        return answer(dependencies[0])

    def frame() -> tuple[bytes, str, Any]:
        body, content_type = made_once(layout_view)
        return body, content_type, json.loads(body)

    def serve_layout() -> flask.Response:
        body, content_type, plain = frames.get((current_viewer(),), frame)
        page = first_page(app, flask.request)
        if page is None:
            return answer((body, content_type))
        return answer((to_json(with_page(plain, *page)).encode("utf-8"), content_type))

    server.view_functions[prefix + "_dash-dependencies"] = serve_dependencies
    server.view_functions[prefix + "_dash-layout"] = serve_layout
    # The page HTML's script and stylesheet tags are the same for every page once the app has
    # started, and Dash works them out again from its component registry on every page load
    for name in ("_generate_scripts_html", "_generate_css_dist_html"):
        setattr(app, name, _made_once(app, getattr(app, name)))


def _made_once(app: dash.Dash, make: Callable[[], str]) -> Callable[[], str]:
    """`make`, asked again only when what it reads has grown: Dash adds the script of a
    callback that runs in the browser at its first request (the page title's, with pages), and
    a component library's files when the library is first used."""
    from dash.development.base_component import ComponentRegistry

    made: dict[tuple[int, int], str] = {}

    def once() -> str:
        key = (len(app._inline_scripts), len(ComponentRegistry.registry))
        if key not in made:
            made.clear()
            made[key] = make()
        return made[key]

    return once


def _cannot_serve(host: str, port: int, exc: OSError) -> str:
    reasons = {
        errno.EADDRINUSE: "the port is already in use by another program (is PMF already running?)",
        errno.EACCES: "permission denied (ports below 1024 need administrator rights)",
        errno.EADDRNOTAVAIL: f"this machine has no address {host}",
    }
    reason = reasons.get(exc.errno or 0, exc.strerror or str(exc))
    return (
        f"PMF cannot serve on http://{host}:{port}: {reason}. "
        "Stop what is using it, or choose another with --port (or --host)."
    )


def serve(
    host: str = "127.0.0.1",
    port: int = 8050,
    debug: bool = False,
    config_dir: str | Path | None = None,
    database_url: str | None = None,
    scheduler: bool = True,
    on_ready: Callable[[], None] | None = None,
) -> None:
    """Serve the dashboard, with the pipeline scheduler in the same process by default.

    A DuckDB file can be held by one process only, so the dashboard and scheduler share it.
    Exits with one sentence (status 1) if the address cannot be used. `on_ready` is called
    once the warehouse is held, the address bound and the log set up, just before serving.
    """
    _log_to_console()
    database_url = database_url or default_database_url()
    app = _app_or_exit(config_dir, database_url)
    runtime = app.server.config[CONFIG_KEY]
    # Before the scheduler starts, so a run it begins is never mistaken for a dead one
    abandon_unfinished_runs(runtime.engine, database_url)
    # Waitress: a production WSGI server in pure Python, threaded in this one process, so the
    # dashboard and the scheduler keep sharing the DuckDB file. The socket is bound before
    # anything else starts, so a port in use ends here with one sentence.
    import waitress

    server: Any = None
    if not debug:
        try:
            server = waitress.create_server(
                app.server,
                host=host,
                port=port,
                threads=8,
                # A browser keeps up to six connections open to a site, so waitress's default of
                # 100 is reached by a few dozen people, and the next person waits to be accepted
                connection_limit=CONNECTION_LIMIT,
                ident="PMF",
            )
        except OSError as exc:
            raise SystemExit(_cannot_serve(host, port, exc)) from None
    if scheduler:
        # The schedule, and the worker for runs and packs asked for on a page, beside the
        # dashboard (on PostgreSQL only if no other process holds the scheduler's lock). The
        # URL with its password: str(url) would hand the scheduler '***' instead
        SchedulerService(
            runtime.registry.config_dir, runtime.engine.url.render_as_string(hide_password=False)
        ).start()
    keep_what_lasts()
    if on_ready is not None:
        on_ready()
    LOG.info("Serving PMF on http://%s:%s", host, port)
    if server is None:
        app.run(host=host, port=port, debug=True, use_reloader=False)
        return
    server.run()


def keep_what_lasts() -> None:
    """Leave what was made at start-up out of the garbage collector's full passes.

    The modules, the registry and Dash's component classes last as long as the process. A
    page build allocates enough to set off full collections, and each scanned them all again:
    at national scale that was the slowest fifth of drill-down builds (p95 472 ms against
    293 ms with them left out, p50 273 against 261). Called once the app is made, just
    before serving (in each worker after the fork).
    """
    gc.collect()
    gc.freeze()


def _app_or_exit(config_dir: str | Path | None, database_url: str) -> dash.Dash:
    try:
        return create_app(config_dir, database_url)
    except (MissingSecretKey, SignInMisconfigured) as exc:
        raise SystemExit(str(exc)) from None


def _log_to_console() -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )


def serve_workers(
    host: str,
    port: int,
    workers: int,
    config_dir: str | Path | None = None,
    database_url: str | None = None,
    threads: int = 8,
) -> None:
    """Serve the dashboard from `workers` processes (gunicorn), each with `threads` threads.

    For server mode: PostgreSQL, which every worker opens; the schedule and the job worker
    run in `pmf scheduler`, never in a web worker. Each worker builds its own app after the
    fork, so no connection is shared between processes. Exits with one sentence (status 1)
    if the warehouse is a DuckDB file or the address cannot be used.
    """
    from gunicorn.app.base import BaseApplication

    _log_to_console()
    database_url = database_url or default_database_url()
    if database_path(database_url) is not None:
        raise SystemExit(
            "Several web workers need a server database (PostgreSQL): a DuckDB file can be "
            "opened by one process at a time. Serve it with one worker (leave out --workers), "
            "or move the warehouse with 'pmf db copy postgresql+psycopg://…' (docs/deploy.md)."
        )
    # Fail here, in words, rather than in every worker: config, session key, schema. Then let
    # go of every connection: a worker forked with one of the master's would share its socket
    _app_or_exit(config_dir, database_url)
    dispose_engine(database_url)
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        raise SystemExit(_cannot_serve(host, port, exc)) from None

    class Workers(BaseApplication):
        def load_config(self) -> None:
            for name, value in {
                "bind": f"{host}:{port}",
                "workers": workers,
                "worker_class": "gthread",
                "threads": threads,
                "timeout": 120,
                "graceful_timeout": 30,
                # Longer than gunicorn's 2 s: a proxy or browser reusing a connection just as
                # the worker closes it would see it reset
                "keepalive": 30,
                "proc_name": "pmf",
                "accesslog": None,
                "preload_app": False,
                "control_socket_disable": True,
            }.items():
                self.cfg.set(name, value)

        def load(self) -> Any:
            server = create_app(config_dir, database_url).server
            keep_what_lasts()
            return server

    LOG.info("Serving PMF on http://%s:%s with %d workers", host, port, workers)
    Workers().run()


if __name__ == "__main__":
    serve()
