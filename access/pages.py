"""The sign-in and sign-out pages: plain HTML forms that work without JavaScript."""

from __future__ import annotations

from html import escape

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
<header class="pmf-header"><div class="pmf-width">
<a class="pmf-brand" href="/"><span class="pmf-logo">PMF</span>
<span class="pmf-org">{organisation}</span></a>
</div></header>
<main id="main-content"><div class="pmf-width pmf-signin">
<h1 id="signin-title">{title}</h1>
{body}
</div></main>
</body>
</html>"""


def _page(title: str, organisation: str, body: str) -> str:
    return PAGE.format(title=escape(title), organisation=escape(organisation), body=body)


def sign_in_page(organisation: str, token: str, next_path: str, error: str = "") -> str:
    """The sign-in form; `error` is shown as an alert above it."""
    alert = (
        f'<div class="alert alert-danger" role="alert" id="signin-error">{escape(error)}</div>'
        if error
        else ""
    )
    body = f"""{alert}
<p>Sign in to see internal measures, corrective actions and data quality, and to add
commentary. Anyone may read the published measures without signing in.</p>
<form method="post" action="/login" id="signin-form">
<input type="hidden" name="csrf_token" value="{escape(token)}">
<input type="hidden" name="next" value="{escape(next_path)}">
<div class="mb-3"><label class="form-label" for="signin-username">User name</label>
<input class="form-control" id="signin-username" name="username" type="text"
 autocomplete="username" required autocapitalize="none" spellcheck="false"></div>
<div class="mb-3"><label class="form-label" for="signin-password">Password</label>
<input class="form-control" id="signin-password" name="password" type="password"
 autocomplete="current-password" required></div>
<button class="btn btn-primary" type="submit" id="signin-submit">Sign in</button>
</form>
<p class="mt-3"><a href="/">Back to the published measures</a></p>"""
    return _page("Sign in", organisation, body)


def sign_out_page(organisation: str, token: str, name: str) -> str:
    """A one-button form: signing out is a POST, so another site cannot sign you out."""
    body = f"""<p>You are signed in as {escape(name)}.</p>
<form method="post" action="/logout" id="signout-form">
<input type="hidden" name="csrf_token" value="{escape(token)}">
<button class="btn btn-primary" type="submit" id="signout-submit">Sign out</button>
</form>
<p class="mt-3"><a href="/">Back to the dashboard</a></p>"""
    return _page("Sign out", organisation, body)


def refused_page(organisation: str, message: str) -> str:
    """A plain page for a refused request (a failed CSRF check, say)."""
    body = f'<p role="alert">{escape(message)}</p><p><a href="/">Back to the dashboard</a></p>'
    return _page("Request refused", organisation, body)
