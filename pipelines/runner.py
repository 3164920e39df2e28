"""Run a pipeline: read what is new, validate it, load it in one transaction, log the run.

The run is logged before anything else happens, so even a crash leaves a trace. The load,
the source hashes, the quarantined rows and the run's outcome commit together or not at
all: a run that dies part-way leaves the warehouse exactly as it was.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from metrics.registry.loader import Registry
from pipelines.config import Pipeline, drop_root, load_pipelines
from pipelines.hooks import after_load_hooks
from pipelines.milestones import validate_tracker
from pipelines.savings import validate_returns
from pipelines.sources import Batch, SourceError, read_source
from pipelines.transform import MappingError, to_candidates
from pipelines.validate import Checked, validate_batch
from warehouse.milestones import upsert_milestones
from warehouse.observations import load_observations
from warehouse.runs import (
    SourceState,
    finish_run,
    latest_source,
    note_run_error,
    record_rejected,
    record_source,
    start_run,
)
from warehouse.savings import load_delivery
from warehouse.transactions import reading, transaction

LOG = logging.getLogger("pmf.pipelines")
Progress = Callable[[str], None]
# Errors whose message is already a sentence for the officer; anything else is unexpected
EXPECTED_ERRORS = (SourceError, MappingError)
LOADED = ("succeeded", "partially_rejected")


@dataclass(frozen=True)
class RunResult:
    """What one run did, as recorded in `pipeline_runs`."""

    run_id: int
    pipeline_id: str
    status: str
    rows_read: int = 0
    rows_filtered: int = 0
    rows_loaded: int = 0
    rows_superseded: int = 0
    rows_unchanged: int = 0
    rows_rejected: int = 0
    source_ref: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the run loaded (or had nothing new to load)."""
        return self.status != "failed"

    def summary(self) -> str:
        """One line for the console and the log."""
        head = f"{self.pipeline_id}: {self.status.replace('_', ' ')} (run {self.run_id})"
        if self.status == "skipped_unchanged":
            return f"{head}: {self.source_ref or 'nothing new'}"
        counts = (
            f"{self.rows_read} read, {self.rows_loaded} loaded, {self.rows_superseded} restated, "
            f"{self.rows_unchanged} unchanged, {self.rows_rejected} rejected"
        )
        if self.rows_filtered:
            counts += f", {self.rows_filtered} filtered out"
        return f"{head}: {counts}" + (f". {self.error}" if self.error else "")


@dataclass(frozen=True)
class _Done:
    """One batch after checking; the raw rows are let go, only counts and results are kept."""

    ref: str
    state: SourceState
    rows: int
    checked: Checked
    filtered: int


@dataclass
class _Work:
    """What a run has gathered so far, so a failure can still record it."""

    done: list[_Done] = field(default_factory=list)

    @property
    def rejected(self) -> pd.DataFrame:
        """Every quarantined row so far, across batches."""
        frames = [d.checked.rejected for d in self.done if not d.checked.rejected.empty]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def counts(self) -> dict[str, int]:
        """Rows read, rejected and filtered out so far."""
        return {
            "rows_read": sum(d.rows for d in self.done),
            "rows_rejected": sum(len(d.checked.rejected) for d in self.done),
            "filtered": sum(d.filtered for d in self.done),
        }


def run_pipeline(
    registry: Registry,
    engine: sa.Engine,
    pipeline: Pipeline | str,
    *,
    trigger: str = "manual",
    triggered_by: str | None = None,
    drop_folder: Path | None = None,
    force: bool = False,
    progress: Progress | None = None,
    hooks: bool = True,
) -> RunResult:
    """Run one pipeline now; never raises for bad data or a bad source, it logs a failed run.

    `hooks=False` leaves the after-load hooks to the caller, who runs a batch of pipelines
    and calls `call_hooks` once at the end rather than re-evaluating after every one.
    """
    if isinstance(pipeline, str):
        pipeline = pipeline_by_id(registry, pipeline)
    say = _say(pipeline.id, progress)
    now = datetime.now()
    run_id = start_run(engine, pipeline.id, trigger=trigger, triggered_by=triggered_by, now=now)
    work = _Work()
    try:
        root = drop_folder if drop_folder is not None else drop_root(registry)
        result = _run(registry, engine, pipeline, run_id, work, root, force, now, say)
    except Exception as exc:  # every failure becomes a logged, failed run; the caller carries on
        if isinstance(exc, EXPECTED_ERRORS):
            message = str(exc)
        else:
            LOG.exception("pipeline %s run %s failed unexpectedly", pipeline.id, run_id)
            # The exception's text may quote the file (a parser shows the line it choked on),
            # and members read this column, so it names the kind of error and nothing more
            message = (
                f"unexpected error ({type(exc).__name__}); nothing from this run was loaded. "
                f"The details are in the server log under run {run_id}."
            )
        result = _record_failure(engine, pipeline, run_id, work, message, now)
    say(result.summary())
    if hooks and result.status in LOADED:
        result = call_hooks(registry, engine, result, progress)
    return result


def run_batch(
    registry: Registry,
    engine: sa.Engine,
    pipeline: Pipeline,
    batch: Batch,
    *,
    trigger: str,
    triggered_by: str | None,
    all_or_nothing: bool = False,
    progress: Progress | None = None,
    hooks: bool = True,
) -> RunResult:
    """Check and load one batch already in hand (figures entered in PMF) as a logged run.

    With `all_or_nothing`, one failed row fails the run and nothing loads. `hooks=False`
    leaves evaluating again to the caller, as for `run_pipeline`.
    """
    say = _say(pipeline.id, progress)
    now = datetime.now()
    run_id = start_run(engine, pipeline.id, trigger=trigger, triggered_by=triggered_by, now=now)
    work = _Work()
    try:
        work.done.append(_check(batch, pipeline, registry, say))
        rejected = work.counts()["rows_rejected"]
        if all_or_nothing and rejected:
            message = f"{rejected} of {len(batch.frame)} figures failed validation; none loaded"
            result = _record_failure(engine, pipeline, run_id, work, message, now, batch.ref)
        else:
            result = _load(engine, pipeline, run_id, work, batch.ref, now, say)
    except Exception as exc:
        LOG.exception("loading %s as run %s failed", batch.ref, run_id)
        message = f"unexpected error ({type(exc).__name__}); nothing was loaded (run {run_id})"
        result = _record_failure(engine, pipeline, run_id, work, message, now, batch.ref)
    say(result.summary())
    if hooks and result.status in LOADED:
        result = call_hooks(registry, engine, result, progress)
    return result


def pipeline_by_id(registry: Registry, pipeline_id: str) -> Pipeline:
    """One pipeline from the config, or KeyError naming the known ones."""
    pipelines = load_pipelines(registry)
    if pipeline_id not in pipelines:
        known = ", ".join(pipelines) or "none"
        raise KeyError(
            f"no pipeline '{pipeline_id}' in {registry.config_dir / 'pipelines'}; "
            f"known pipelines: {known}"
        )
    return pipelines[pipeline_id]


def _numeric_columns(pipeline: Pipeline) -> tuple[str, ...]:
    mapping = pipeline.mapping
    if mapping is None:
        return ()
    return tuple(c for c in (mapping.value, mapping.numerator, mapping.denominator) if c)


def _say(pipeline_id: str, progress: Progress | None) -> Progress:
    def say(message: str) -> None:
        text = message if message.startswith(f"{pipeline_id}:") else f"{pipeline_id}: {message}"
        LOG.info(text)
        if progress is not None:
            progress(text)

    return say


def _run(
    registry: Registry,
    engine: sa.Engine,
    pipeline: Pipeline,
    run_id: int,
    work: _Work,
    root: Path,
    force: bool,
    now: datetime,
    say: Progress,
) -> RunResult:
    with reading(engine) as conn:
        read = read_source(
            pipeline.source,
            drop_root=root,
            last_state=lambda ref: latest_source(conn, pipeline.id, ref),
            force=force,
            numeric=_numeric_columns(pipeline),
        )
    if not read.batches:
        note = read.note or f"unchanged since last loaded: {', '.join(read.unchanged)}"
        with transaction(engine) as conn:
            finish_run(conn, run_id, status="skipped_unchanged", source_ref=note[:2000])
        return RunResult(run_id, pipeline.id, "skipped_unchanged", source_ref=note)
    refs = ", ".join(b.ref for b in read.batches)
    while read.batches:
        # Popped, so each batch's raw rows can be freed as soon as it has been checked
        work.done.append(_check(read.batches.pop(0), pipeline, registry, say))
    counts = work.counts()
    considered = counts["rows_read"] - counts["filtered"]
    limit = float(registry.settings["rejected_share_limit"])
    if counts["rows_read"] and not considered:
        raise MappingError(
            f"all {counts['rows_read']} rows were filtered out by the mapping's filters or skip "
            "rules; check the filter values against the file"
        )
    share = counts["rows_rejected"] / considered if considered else 0.0
    if share > limit:
        message = (
            f"{counts['rows_rejected']} of {considered} rows ({share:.0%}) failed validation, more "
            f"than the limit of {limit:.0%} (setting rejected_share_limit), so nothing was loaded; "
            f"see `pmf rejected --run {run_id}`"
        )
        return _record_failure(engine, pipeline, run_id, work, message, now, refs)
    return _load(engine, pipeline, run_id, work, refs, now, say)


def _check(batch: Batch, pipeline: Pipeline, registry: Registry, say: Progress) -> _Done:
    say(f"read {batch.ref}: {len(batch.frame)} rows")
    filtered = 0
    if pipeline.kind == "milestones":
        checked = validate_tracker(batch, pipeline, registry)
    elif pipeline.kind == "savings":
        checked = validate_returns(batch, pipeline, registry)
    else:
        assert pipeline.mapping is not None
        candidates = to_candidates(batch, pipeline.mapping, registry)
        checked, filtered = (
            validate_batch(candidates, batch, pipeline, registry),
            candidates.filtered,
        )
    say(
        f"checked {batch.ref}: {len(checked.good)} to load, {len(checked.rejected)} rejected"
        + (f", {filtered} filtered out" if filtered else "")
    )
    return _Done(batch.ref, batch.state, len(batch.frame), checked, filtered)


def _load(
    engine: sa.Engine,
    pipeline: Pipeline,
    run_id: int,
    work: _Work,
    refs: str,
    now: datetime,
    say: Progress,
) -> RunResult:
    loaded = superseded = unchanged = 0
    counts = work.counts()
    with transaction(engine) as conn:
        for done in work.done:
            good = done.checked.good
            if pipeline.kind == "milestones":
                inserted, updated = upsert_milestones(
                    conn, good, run_id=run_id, source_ref=done.ref, now=now
                )
                loaded, superseded = loaded + inserted, superseded + updated
                unchanged += len(good) - inserted - updated
            elif pipeline.kind == "savings":
                added, restated, same = load_delivery(conn, good, run_id=run_id, now=now)
                loaded, superseded = loaded + added, superseded + restated
                unchanged += same
            else:
                result = load_observations(conn, good, run_id=run_id, now=now)
                loaded += result.loaded
                superseded += result.superseded
                unchanged += result.unchanged
            record_source(conn, pipeline.id, done.ref, done.state, run_id=run_id, now=now)
        rejected = work.rejected
        record_rejected(conn, rejected, run_id=run_id, pipeline_id=pipeline.id, now=now)
        status = "partially_rejected" if len(rejected) else "succeeded"
        values = {
            "status": status,
            "rows_read": counts["rows_read"],
            "rows_loaded": loaded,
            "rows_superseded": superseded,
            "rows_unchanged": unchanged,
            "rows_rejected": counts["rows_rejected"],
            "source_ref": refs[:2000],
        }
        finish_run(conn, run_id, **values)
    return RunResult(
        run_id,
        pipeline.id,
        status,
        rows_read=counts["rows_read"],
        rows_filtered=counts["filtered"],
        rows_loaded=loaded,
        rows_superseded=superseded,
        rows_unchanged=unchanged,
        rows_rejected=counts["rows_rejected"],
        source_ref=refs,
    )


def _record_failure(
    engine: sa.Engine,
    pipeline: Pipeline,
    run_id: int,
    work: _Work,
    message: str,
    now: datetime,
    refs: str | None = None,
) -> RunResult:
    counts = work.counts()
    refs = refs or ", ".join(d.ref for d in work.done) or None
    try:
        with transaction(engine) as conn:
            # The quarantined rows are kept even though nothing loaded: they explain the failure
            record_rejected(conn, work.rejected, run_id=run_id, pipeline_id=pipeline.id, now=now)
            finish_run(
                conn,
                run_id,
                status="failed",
                rows_read=counts["rows_read"],
                rows_rejected=counts["rows_rejected"],
                source_ref=refs[:2000] if refs else None,
                error=message[:4000],
            )
    except Exception:  # the warehouse itself is unreachable; the log is all that is left
        LOG.exception("could not record the failure of run %s of %s", run_id, pipeline.id)
    return RunResult(
        run_id,
        pipeline.id,
        "failed",
        rows_read=counts["rows_read"],
        rows_filtered=counts["filtered"],
        rows_rejected=counts["rows_rejected"],
        source_ref=refs,
        error=message,
    )


def call_hooks(
    registry: Registry, engine: sa.Engine, result: RunResult, progress: Progress | None = None
) -> RunResult:
    """Call every after-load hook for a run that loaded; a failing hook is noted on the run."""
    say = _say(result.pipeline_id, progress)
    problems = []
    try:
        hooks = after_load_hooks()
    except Exception as exc:  # a misnamed hook must not undo or hide a good load
        hooks, problems = [], [str(exc)]
    for hook in hooks:
        try:
            hook(registry, engine, result.run_id)
        except Exception as exc:  # one broken hook must not stop the others
            LOG.exception("after-load hook %r failed for run %s", hook, result.run_id)
            name = getattr(hook, "__qualname__", repr(hook))
            problems.append(f"after-load hook {name} failed: {type(exc).__name__}: {exc}")
    if not problems:
        return result
    error = "loaded, but " + "; ".join(problems)
    say(error)
    note_run_error(engine, result.run_id, error[:4000])
    return replace(result, error=error)
