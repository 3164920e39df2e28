"""HTTP 404 for an address the dashboard has no page for.

Dash answers every path with its page shell (status 200) and draws "not found" in the browser.
A person sees the right page either way, but a link checker, a search engine or a proxy's log
would count a mistyped address as a page. This hook gives such an answer the status 404: a
path no page is registered for, or a page's id that does not exist (a measure, a committee, a
portfolio), while the body (the dashboard's own 404 page) is unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import unquote

import dash
import flask

from metrics.registry.loader import Registry

CATCH_ALL = "/<path:path>"  # the rule Dash serves its pages from
INSTALLED = "pmf_not_found"


def _id_checks(registry: Registry) -> dict[str, Callable[[str], bool]]:
    plan = registry.plan
    committees = {c.id for c in plan.select_committees}
    portfolios = {p.id for p in plan.portfolios}
    proposals = {p.id for p in registry.finance.proposals}
    return {
        "metric_id": registry.has_metric,
        "committee_id": committees.__contains__,
        "portfolio_id": portfolios.__contains__,
        "proposal_id": proposals.__contains__,
    }


def _template_match(path: str, template: str) -> dict[str, str] | None:
    """The variables of `path` under a page's path template, or None if it does not fit."""
    parts, wanted = path.strip("/").split("/"), template.strip("/").split("/")
    if len(parts) != len(wanted):
        return None
    variables = {}
    for part, want in zip(parts, wanted, strict=True):
        name = re.fullmatch(r"<(\w+)>", want)
        if name is not None:
            if not part:
                return None
            variables[name.group(1)] = unquote(part)
        elif part != want:
            return None
    return variables


def page_exists(path: str, registry: Registry) -> bool:
    """Whether the dashboard has a page at `path` (and, for a page about one thing, that thing)."""
    checks = _id_checks(registry)
    trimmed = "/" + path.strip("/")
    for page in dash.page_registry.values():
        if str(page.get("module", "")).split(".")[-1] == "not_found_404":
            continue
        template = page.get("path_template")
        if template:
            variables = _template_match(trimmed, str(template))
            if variables is not None:
                return all(checks.get(k, lambda _v: True)(v) for k, v in variables.items())
        if trimmed == "/" + str(page.get("path", "")).strip("/"):
            return True
    return False


def install_not_found(server: flask.Flask, registry: Registry) -> None:
    """Answer 404 (with the dashboard's own not-found page) for an address it has no page for.

    Call once, after the Dash app is built; a second call does nothing.
    """
    if server.extensions.get(INSTALLED):
        return
    server.extensions[INSTALLED] = True

    @server.after_request
    def not_found_status(response: flask.Response) -> flask.Response:
        request = flask.request
        rule = request.url_rule
        if (
            response.status_code == 200
            and request.method in {"GET", "HEAD"}
            and rule is not None
            and rule.rule == CATCH_ALL
            and not page_exists(request.path, registry)
        ):
            response.status_code = 404
        return response
