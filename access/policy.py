"""Which pages and which dashboard callbacks need which permission: checked before Dash runs."""

from __future__ import annotations

from access.roles import Permission

# Pages that need a permission; a visitor without it is sent to sign in
PAGE_PERMISSIONS: dict[str, Permission] = {
    "/actions": "read_internal",
    "/audit": "read_audit",
    "/cycle": "read_internal",
    "/data": "read_internal",
    "/milestones": "read_internal",
    "/portfolio": "read_internal",
    "/returns": "read_internal",
}

# Dash callbacks that write, found by an output they alone update. Dash dispatches a POST to
# /_dash-update-component on its `output` string, so this is the same key Dash uses.
CALLBACK_PERMISSIONS: dict[str, Permission] = {
    "metric-comment-status.children": "comment",
    "flag-status.children": "update_flag",
    "run-now-status.children": "run_pipeline",
    "rebase-status.children": "rebase_spc",
    "rebase-withdraw-status.children": "rebase_spc",
    "run-now-progress.children": "run_pipeline",
    "pack-job-download.data": "read_internal",
    # The reporting cycle: cycle/ checks by user name that the viewer owns (or approves) the
    # return; the guard first turns away anyone not signed in
    "return-save-status.children": "read_internal",
    "signoff-status.children": "read_internal",
    "publish-status.children": "manage_cycle",
    "restate-status.children": "manage_cycle",
    "returns-upload-status.children": "read_internal",
    "returns-template-download.data": "read_internal",
    "cycle-csv-download.data": "read_internal",
}


def page_permission(path: str) -> Permission | None:
    """The permission a page path needs, or None for a page anyone may see."""
    for prefix, permission in PAGE_PERMISSIONS.items():
        if path == prefix or path.startswith(prefix + "/"):
            return permission
    return None


def callback_permission(output: str) -> Permission | None:
    """The permission a Dash callback (named by its output string) needs, or None."""
    for target, permission in CALLBACK_PERMISSIONS.items():
        if target in output:
            return permission
    return None
