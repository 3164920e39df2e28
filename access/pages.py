"""The sign-in and sign-out pages: plain HTML forms that work without JavaScript.

They wear the dashboard's own header (with the pages anyone may open) and footer, so a visitor
sent here is still plainly on the council's site and can go elsewhere without signing in.
"""

from __future__ import annotations

from html import escape
from typing import Any
from urllib.parse import quote

import flask

from access.roles import Permission

# The main navigation: (label, path, the permission the page needs or None for everyone).
# The dashboard's frame (layouts/_components/shell.py) shows each to those who hold it
NAV_ITEMS: tuple[tuple[str, str, Permission | None], ...] = (
    ("Overview", "/", None),
    ("Milestones", "/milestones", "read_internal"),
    ("Savings", "/savings", None),
    ("Risks", "/risks", None),
    ("Actions", "/actions", "read_internal"),
    ("Data", "/data", "read_internal"),
    ("My returns", "/returns", "read_internal"),
    ("Cycle", "/cycle", "read_internal"),
    ("Audit", "/audit", "read_audit"),
    ("Catalogue", "/catalogue", None),
    ("The plan", "/plan", None),
)
# Where Flask's config keeps the dashboard's runtime (its registry names the plan)
RUNTIME_KEY = "PMF_RUNTIME"

PAGE = """<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · PMF</title>
<link rel="stylesheet" href="/assets/00-bootstrap.min.css">
<link rel="stylesheet" href="/assets/pmf.css">
</head>
<body>
<a class="pmf-skip-link" href="#main-content">Skip to main content</a>
<header class="pmf-header"><div class="pmf-width">
<a class="pmf-brand" href="/"><span class="pmf-logo">PMF</span>
<span class="pmf-org">{organisation}</span></a>
<nav class="pmf-nav" aria-label="Main"><ul>{nav}</ul></nav>
</div></header>
<main id="main-content" tabindex="-1"><div class="pmf-width pmf-signin">
{body}
</div></main>
<footer class="pmf-footer"><div class="pmf-width"><p>{footer}</p></div></footer>
</body>
</html>"""

# Pages named in "You asked for ...": the navigation's, and the pages about one thing
PAGES_ABOUT_ONE = {
    "metric": "a measure that is not published",
    "portfolio": "a portfolio's page",
    "committee": "a select committee's page",
    "savings": "a savings proposal that is not published",
}


def _plan_name() -> str:
    if not flask.has_app_context():
        return ""
    runtime: Any = flask.current_app.config.get(RUNTIME_KEY)
    try:
        return str(runtime.registry.plan.plan.name)
    except AttributeError:
        return ""


def _page(title: str, organisation: str, body: str, before_title: str = "") -> str:
    nav = "".join(
        f'<li><a href="{href}">{escape(label)}</a></li>'
        for label, href, permission in NAV_ITEMS
        if permission is None
    )
    footer = " · ".join(
        part for part in (organisation, _plan_name(), "Performance management framework") if part
    )
    return PAGE.format(
        title=escape(title),
        organisation=escape(organisation),
        nav=nav,
        body=f'{before_title}<h1 id="signin-title">{escape(title)}</h1>\n{body}',
        footer=escape(footer),
    )


def destination(next_path: str) -> str:
    """What a visitor sent to sign in was trying to reach, in words ('' for the home page).

    A measure's id is not repeated: it would tell the public the name of an unpublished one.
    """
    path = next_path.split("?", 1)[0].split("#", 1)[0]
    if path in {"", "/"}:
        return ""
    for label, href, _internal in NAV_ITEMS:
        if path == href:
            return f"the {label} page" if not label.startswith("The ") else label.lower()
    first = path.strip("/").split("/", 1)[0]
    if first in PAGES_ABOUT_ONE:
        return PAGES_ABOUT_ONE[first]
    return f"the page at {path}"


def _typed_name(username: str | None) -> str:
    if username is not None:
        return username
    if flask.has_request_context() and flask.request.method == "POST":
        return flask.request.form.get("username", "").strip()[:80]
    return ""


def sign_in_page(
    organisation: str,
    token: str,
    next_path: str,
    error: str = "",
    username: str | None = None,
    *,
    sso_name: str | None = None,
    break_glass_only: bool = False,
) -> str:
    """The sign-in form, with what the visitor was trying to reach.

    After a failed attempt `error` heads the page as a GOV.UK error summary linked to the
    fields, and the user name typed (`username`, else the one posted) is kept. With single
    sign-on (`sso_name`), "Sign in with <sso_name>" comes first; when only break-glass accounts
    may use a password, the password form is folded away below it.
    """
    name = _typed_name(username) if error else ""
    summary = (
        '<div class="pmf-error-summary" role="alert" aria-labelledby="signin-error-title" '
        'tabindex="-1" id="signin-error">'
        '<h2 id="signin-error-title" class="pmf-error-summary-title">There is a problem</h2>'
        f'<ul><li><a href="#{"signin-password" if name else "signin-username"}">'
        f"{escape(error)}</a></li></ul></div>"
        if error
        else ""
    )
    wanted = destination(next_path)
    reaching = (
        f'<p id="signin-destination">You asked for {escape(wanted)}. Sign in and you will go '
        "straight there.</p>"
        if wanted
        else ""
    )
    invalid = ' aria-invalid="true" aria-describedby="signin-field-error"' if error else ""
    inline = (
        '<p class="pmf-field-error" id="signin-field-error">'
        f'<span class="visually-hidden">Error:</span> {escape(error)}</p>'
        if error
        else ""
    )
    group = "mb-3 pmf-field-with-error" if error else "mb-3"
    # After a failed attempt with a name kept, the cursor waits in the password field
    focus_password = " autofocus" if name else ""
    sso = ""
    if sso_name:
        local_title = (
            "Administrators' emergency sign-in"
            if break_glass_only
            else "Or sign in with a PMF password"
        )
        sso = f"""<p><a class="btn btn-primary" id="signin-sso"
 href="/login/oidc?next={quote(next_path, safe="/")}">Sign in with {escape(sso_name)}</a></p>
<h2 class="h5 mt-4" id="signin-local-title">{local_title}</h2>
"""
    form = f"""<form method="post" action="/login" id="signin-form" novalidate>
<input type="hidden" name="csrf_token" value="{escape(token)}">
<input type="hidden" name="next" value="{escape(next_path)}">
<div class="{group}">{inline}
<div class="mb-3"><label class="form-label" for="signin-username">User name</label>
<input class="form-control" id="signin-username" name="username" type="text"
 value="{escape(name)}" autocomplete="username" required autocapitalize="none"
 spellcheck="false"{invalid}></div>
<div class="mb-3"><label class="form-label" for="signin-password">Password</label>
<input class="form-control" id="signin-password" name="password" type="password"
 autocomplete="current-password" required{invalid}{focus_password}></div>
</div>
<button class="btn {"btn-secondary" if sso_name else "btn-primary"}" type="submit"
 id="signin-submit">Sign in</button>
</form>"""
    if sso_name and break_glass_only and not error:
        form = f"""<details class="pmf-details" id="signin-break-glass">
<summary>Only for administrators when single sign-on is not working</summary>
{form}</details>"""
    body = f"""{reaching}
<p>Sign in to see internal measures, corrective actions and data quality, and to add
commentary. Anyone may read the published measures without signing in.</p>
{sso}{form}
<p class="mt-3"><a href="/">Back to the published measures</a></p>"""
    return _page("Sign in", organisation, body, before_title=summary)


def sign_out_page(organisation: str, token: str, name: str) -> str:
    """A one-button form: signing out is a POST, so another site cannot sign you out."""
    body = f"""<p>You are signed in as {escape(name)}.</p>
<form method="post" action="/logout" id="signout-form">
<input type="hidden" name="csrf_token" value="{escape(token)}">
<button class="btn btn-primary" type="submit" id="signout-submit">Sign out</button>
</form>
<p class="mt-3"><a href="/">Back to the dashboard</a></p>"""
    return _page("Sign out", organisation, body)


def sso_problem_page(organisation: str, title: str, message: str) -> str:
    """A single sign-on failure: what happened in plain words, and the ways on."""
    body = f"""<p id="signin-problem">{escape(message)}</p>
<p><a href="/login" id="signin-again">Try signing in again</a></p>
<p><a href="/">Back to the published measures</a></p>"""
    return _page(title, organisation, body)


def refused_page(organisation: str, message: str) -> str:
    """A plain page for a refused request (a failed CSRF check, say)."""
    body = f'<p role="alert">{escape(message)}</p><p><a href="/">Back to the dashboard</a></p>'
    return _page("Request refused", organisation, body)
