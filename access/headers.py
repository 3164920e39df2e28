"""Security headers on every response: the Content-Security-Policy, caching and HTTPS.

The policy lets scripts run only from this site, plus Dash's own inline scripts by hash, so an
injected `<script>` or `onclick=` does nothing. Styles may be inline because Dash and Plotly set
`style` attributes as they draw; images may be `data:` or `blob:` URLs (Plotly's downloads and
icons), and Plotly may start a worker from a blob. Anything from a signed-in session, and every
Dash callback answer, is marked `no-store` so a shared computer or a proxy keeps no copy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import flask

# The same for everyone and named by version, so browsers may keep them
STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/_favicon.ico")
HSTS = "max-age=31536000"


def content_security_policy(script_hashes: Sequence[str], form_targets: Sequence[str] = ()) -> str:
    """The policy text, with the hashes of the inline scripts the pages may run.

    `form_targets` are other origins a form may lead to: browsers hold a form's redirects to
    `form-action` too, and signing out of single sign-on goes on to the provider.
    """
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'self'"],
        "form-action": ["'self'", *form_targets],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def install_security_headers(
    server: flask.Flask,
    script_hashes: Callable[[], Sequence[str]],
    form_targets: Sequence[str] = (),
) -> None:
    """Add the policy, no-store and (over HTTPS) Strict-Transport-Security to every response.

    `script_hashes` is asked on each response, since Dash collects its inline scripts when the
    first request sets it up.
    """

    @server.after_request
    def security_headers(response: flask.Response) -> flask.Response:
        request = flask.request
        response.headers["Content-Security-Policy"] = content_security_policy(
            script_hashes(), form_targets
        )
        if not request.path.startswith(STATIC_PREFIXES):
            # Pages, layouts, callback answers and downloads may be personal to the viewer
            response.headers["Cache-Control"] = "no-store"
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response
