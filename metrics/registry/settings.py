"""Site settings: a table of name, default and help, read from `config/settings.yaml`."""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from metrics.registry.yamlfile import Problem, YamlDoc


class Names(tuple[str, ...]):
    """A setting's list of names (read-only), shown as YAML writes it: [root, ada]."""

    def __str__(self) -> str:
        return "[" + ", ".join(self) + "]"


class Pairs(Mapping[str, str]):
    """A setting's mapping of names to names (read-only), shown as YAML writes it: {a: b}."""

    def __init__(self, pairs: Mapping[str, str] | None = None) -> None:
        self._pairs = dict(pairs or {})

    def __getitem__(self, key: str) -> str:
        return self._pairs[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._pairs)

    def __len__(self) -> int:
        return len(self._pairs)

    def __str__(self) -> str:
        return "{" + ", ".join(f"{k}: {v}" for k, v in self._pairs.items()) + "}"

    __repr__ = __str__


@dataclass(frozen=True)
class Setting:
    """One documented setting."""

    name: str
    default: Any
    help: str
    kind: type
    minimum: float | None = None
    maximum: float | None = None
    # A further check on the value: what is wrong with it, or None
    check: Callable[[Any], str | None] | None = None


def _sender(value: Any) -> str | None:
    """An email sender: an address, with or without a name ('PMF <pmf@council.gov.uk>')."""
    text = str(value).strip()
    found = re.fullmatch(r"(?:[^<>@]*<)?\s*([^\s<>@]+@[^\s<>@]+)\s*>?", text)
    if found is None or (("<" in text) != text.endswith(">")):
        return (
            f"{value!r} is not an email sender; write an address, or a name and an address "
            "such as 'Performance team <performance@council.gov.uk>'"
        )
    return None


def _web_address(value: Any) -> str | None:
    """Empty, or an http(s) address with a host and no query."""
    text = str(value).strip()
    if text and re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", text) is None:
        return (
            f"{value!r} is not the dashboard's address; write it as people open it, such as "
            "'https://pmf.council.gov.uk' (or leave it empty)"
        )
    return None


def _time_of_day(value: Any) -> str | None:
    """A time of day written HH:MM on the 24-hour clock."""
    found = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", str(value).strip())
    return None if found else f"{value!r} is not a time of day; write HH:MM, e.g. '07:30'"


ROLE_NAMES = ("public", "member", "officer", "admin")  # as access.roles, which may not be imported


def _issuer(value: Any) -> str | None:
    """Empty, or the provider's https address (plain http only on this machine, for testing)."""
    text = str(value).strip()
    if not text:
        return None
    local = re.fullmatch(r"http://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(/[^\s?#]*)?", text)
    if local is None and re.fullmatch(r"https://[^\s/?#]+(/[^\s?#]*)?", text) is None:
        return (
            f"{value!r} is not an OpenID Connect issuer; write the provider's https address, "
            "for Entra ID 'https://login.microsoftonline.com/<tenant id>/v2.0'"
        )
    return None


def _scopes(value: Any) -> str | None:
    """Scopes separated by spaces, 'openid' among them."""
    if "openid" not in str(value).split():
        return f"{value!r} must include 'openid', e.g. 'openid profile email'"
    return None


def _role_map(value: Any) -> str | None:
    """Each claim value maps to one of PMF's signed-in roles."""
    for claim, role in value.items():
        if role not in ROLE_NAMES[1:]:
            return f"{claim!r} maps to {role!r}, which is not a role; use member, officer or admin"
    return None


def _one_of(*choices: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if value in choices:
            return None
        close = difflib.get_close_matches(str(value), choices, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        return f"{value!r} is not one of {', '.join(choices)}{hint}"

    return check


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "suppress_below",
        5,
        "Counts below this are shown as [c] in public output, unless a metric sets its own.",
        int,
        1,
        1000,
    ),
    Setting(
        "rejected_share_limit",
        0.5,
        "A pipeline run whose share of rejected rows exceeds this fails and loads nothing.",
        float,
        0.0,
        1.0,
    ),
    Setting("timezone", "Europe/London", "Time zone for schedules and dates shown.", str),
    Setting(
        "milestone_at_risk_days",
        30,
        "A milestone forecast up to this many days after its baseline is at risk; later, slipped.",
        int,
        0,
        3650,
    ),
    Setting(
        "off_target_periods", 2, "Red periods in a row that raise an off-target flag.", int, 1, 24
    ),
    Setting("drop_folder", "data/drops", "Folder that file-drop pipelines read, if relative.", str),
    Setting(
        "earliest_period",
        date(1990, 1, 1),
        "Pipelines refuse rows for periods before this date (a mistyped year, not history).",
        date,
    ),
    Setting(
        "reports_folder", "data/reports", "Folder the scheduled weekly packs are written to.", str
    ),
    Setting(
        "secure_cookies",
        False,
        "Always mark the sign-in and CSRF cookies Secure (HTTPS only); they are anyway when the "
        "request came over HTTPS.",
        bool,
    ),
    Setting(
        "trusted_proxies",
        0,
        "Reverse proxies in front of PMF whose X-Forwarded-For, -Proto and -Host to believe.",
        int,
        0,
        5,
    ),
    Setting(
        "sign_in_attempts",
        5,
        "Failed sign-ins in a row that lock a user name for the lockout time.",
        int,
        1,
        100,
    ),
    Setting(
        "sign_in_lockout_minutes",
        15,
        "Minutes a user name (or an address with many failures) must wait after a lockout.",
        int,
        1,
        1440,
    ),
    Setting(
        "mail_from",
        "PMF <pmf@localhost>",
        "Who PMF's emails come from, e.g. 'Performance team <performance@council.gov.uk>'; the "
        "mail server is PMF_SMTP_URL.",
        str,
        check=_sender,
    ),
    Setting(
        "reminder_days_before",
        3,
        "Days before a return's due date that its owner is reminded (0: only on the day).",
        int,
        0,
        60,
    ),
    Setting(
        "email_time",
        "07:30",
        "Time of day (HH:MM, in the time zone) the scheduler sends the emails that are due.",
        str,
        check=_time_of_day,
    ),
    Setting(
        "dashboard_url",
        "",
        "The dashboard's address as people reach it, e.g. 'https://pmf.council.gov.uk'; emails "
        "link to its pages. Empty: emails name the page without a link.",
        str,
        check=_web_address,
    ),
    Setting(
        "oidc_issuer",
        "",
        "Single sign-on: the OpenID Connect provider's issuer address (its discovery document is "
        "read from it). Empty: no single sign-on. The client secret is PMF_OIDC_CLIENT_SECRET.",
        str,
        check=_issuer,
    ),
    Setting("oidc_client_id", "", "Single sign-on: PMF's client (application) id.", str),
    Setting(
        "oidc_scopes",
        "openid profile email",
        "Single sign-on: the scopes asked for, separated by spaces ('openid' is required).",
        str,
        check=_scopes,
    ),
    Setting(
        "oidc_name",
        "",
        "Single sign-on: the button's wording, 'Sign in with <this>'. Empty: the organisation's "
        "name from the plan.",
        str,
    ),
    Setting(
        "oidc_username_claim",
        "preferred_username",
        "Single sign-on: the ID token claim that names the person in PMF (lower-cased); without "
        "it, 'email', then 'sub'.",
        str,
    ),
    Setting(
        "oidc_role_claim",
        "groups",
        "Single sign-on: the ID token claim listing the person's groups or app roles.",
        str,
    ),
    Setting(
        "oidc_roles",
        Pairs(),
        "Single sign-on: which group or app role gives which PMF role, e.g. "
        "{pmf-councillors: member}; the highest that applies wins.",
        dict,
        check=_role_map,
    ),
    Setting(
        "oidc_unmapped",
        "refuse",
        "Single sign-on: someone in none of oidc_roles' groups is refused ('refuse') or signed "
        "in with the public's view ('public').",
        str,
        check=_one_of("refuse", "public"),
    ),
    Setting(
        "local_sign_in",
        "all",
        "Who may sign in with a PMF password: 'all' local accounts, or 'break_glass_only' (the "
        "accounts in break_glass_users), when everyone else uses single sign-on.",
        str,
        check=_one_of("all", "break_glass_only"),
    ),
    Setting(
        "break_glass_users",
        Names(),
        "Local accounts that may still sign in with a password when local_sign_in is "
        "break_glass_only, e.g. [root].",
        list,
    ),
)

SETTINGS_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    """Resolved settings: defaults overlaid with what `settings.yaml` says."""

    values: dict[str, Any] = field(default_factory=lambda: {s.name: s.default for s in SETTINGS})

    def __getitem__(self, name: str) -> Any:
        return self.values[name]


def parse_settings(doc: YamlDoc | None) -> tuple[Settings, list[Problem]]:
    """Validate a settings document against the table; unknown names get a did-you-mean hint."""
    values = {s.name: s.default for s in SETTINGS}
    problems: list[Problem] = []
    if doc is None or doc.data is None:
        return Settings(values), problems
    if not isinstance(doc.data, dict):
        return Settings(values), [Problem(doc.label, 1, "(file)", "expected name: value pairs")]
    for name, raw in doc.data.items():
        line = doc.line_of([name])
        setting = SETTINGS_BY_NAME.get(str(name))
        if setting is None:
            close = difflib.get_close_matches(str(name), SETTINGS_BY_NAME, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "see docs/settings.md"
            problems.append(Problem(doc.label, line, str(name), f"unknown setting; {hint}"))
            continue
        value, error = _coerce(setting, raw)
        if not error and setting.check is not None:
            error = setting.check(value)
        if error:
            problems.append(Problem(doc.label, line, setting.name, error))
        else:
            values[setting.name] = value
    return Settings(values), problems


def _coerce(setting: Setting, raw: Any) -> tuple[Any, str | None]:
    if setting.kind is date:
        return _coerce_date(raw)
    if setting.kind is str:
        return (raw, None) if isinstance(raw, str) else (raw, f"expected text, got {raw!r}")
    if setting.kind is list:
        if isinstance(raw, list) and all(isinstance(item, str) for item in raw):
            return Names(item.strip().lower() for item in raw), None
        return raw, f"expected a list of names such as [root], got {raw!r}"
    if setting.kind is dict:
        if isinstance(raw, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
        ):
            return Pairs(raw), None
        return raw, f"expected name: value pairs such as {{pmf-councillors: member}}, got {raw!r}"
    if setting.kind is bool:
        return (
            (raw, None) if isinstance(raw, bool) else (raw, f"expected true or false, got {raw!r}")
        )
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return raw, f"expected a number, got {raw!r}; default is {setting.default!r}"
    if not math.isfinite(raw):  # YAML's .nan would slip past the range check below
        spelling = ".nan" if math.isnan(raw) else (".inf" if raw > 0 else "-.inf")
        low, high = setting.minimum, setting.maximum
        span = f"from {low} to {high}" if high is not None else f"such as {setting.default}"
        return raw, f"'{spelling}' is not a finite number; write a number {span}"
    if setting.kind is int and not float(raw).is_integer():
        return raw, f"expected a whole number, got {raw!r}"
    value = setting.kind(raw)
    low, high = setting.minimum, setting.maximum
    if (low is not None and value < low) or (high is not None and value > high):
        return raw, f"{raw!r} is out of range; use a value from {low} to {high}"
    return value, None


def _coerce_date(raw: Any) -> tuple[Any, str | None]:
    # YAML reads 1990-01-01 as a date already; a quoted one arrives as text
    if isinstance(raw, date):
        return raw, None
    try:
        return date.fromisoformat(str(raw)), None
    except ValueError:
        return raw, f"expected a date written YYYY-MM-DD, got {raw!r}"
