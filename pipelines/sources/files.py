"""File drops: CSV or XLSX files matching a glob under the drop folder.

Only regular files are read, and only inside the folder their glob names: a symbolic link,
or a file reached through a linked folder, is refused unread. A link in a shared drop folder
could otherwise expose any file the service can read (its first line in a run's error).
"""

from __future__ import annotations

import glob
import os
import stat
from pathlib import Path

from pipelines.source_config import FileSource
from pipelines.sources.base import Batch, LastState, SourceError, SourceRead, content_hash
from pipelines.tabular import Table, TableError, read_csv_bytes, read_xlsx_bytes
from warehouse.runs import SourceState

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}


def matching_files(source: FileSource, root: Path) -> list[Path]:
    """Files matching the source's globs, in name order (a later file restates an earlier one).

    Raises SourceError for a match that is a symbolic link or lies outside its folder.
    """
    found: set[Path] = set()
    for pattern in source.path:
        base = _glob_base(root, pattern)
        for name in glob.glob(str(root / pattern), recursive=True):
            path = Path(name)
            # Excel's lock files (~$book.xlsx) and hidden files are never data
            if path.name.startswith(("~$", ".")):
                continue
            if path.is_symlink():
                raise SourceError(
                    f"{_shown(path, root)} is a symbolic link; only regular files inside the "
                    "drop folder are read. Copy the file into the folder instead of linking it."
                )
            if not path.is_file():
                continue
            if not path.resolve().is_relative_to(base.resolve()):
                raise SourceError(
                    f"{_shown(path, root)} is outside the drop folder (reached through a linked "
                    f"folder); only files inside {base} are read. Copy the file into the folder."
                )
            found.add(path)
    return sorted(found, key=lambda p: (p.name, str(p)))


def _glob_base(root: Path, pattern: str) -> Path:
    """The folder a glob is confined to: the drop folder, or an absolute glob's fixed part."""
    if not Path(pattern).is_absolute():
        return root
    fixed = []
    for part in Path(pattern).parts[:-1]:
        if glob.has_magic(part):
            break
        fixed.append(part)
    return Path(*fixed)


def _shown(path: Path, root: Path) -> str:
    # Named as found, never by where a link points: that could be anywhere on the server
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _read_regular(path: Path, ref: str) -> bytes:
    """The bytes of a regular file, refusing a link swapped in since the folder was listed."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        raise SourceError(f"cannot read {ref}: {exc.strerror or exc}") from None
    with os.fdopen(descriptor, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise SourceError(f"{ref} is not a regular file; only regular files are read")
        return handle.read()


def file_ref(path: Path, root: Path) -> str:
    """How a file is named in the run log: relative to the drop folder when inside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def read_files(
    source: FileSource,
    root: Path,
    last_state: LastState,
    force: bool,
    numeric: tuple[str, ...] = (),
) -> SourceRead:
    """Read every matching file whose content differs from the last one loaded under its name."""
    paths = matching_files(source, root)
    if not paths:
        globs = ", ".join(source.path)
        return SourceRead(note=f"no files match {globs} in {root}")
    batches, unchanged = [], []
    for path in paths:
        ref = file_ref(path, root)
        data = _read_regular(path, ref)
        table = None
        if path.suffix.lower() in XLSX_SUFFIXES:
            # A workbook's bytes change on every save (zip timestamps), so hash its cells
            table = read_table(data, path, ref, source)
            digest = content_hash(table.frame.to_csv(index=False).encode("utf-8"))
        else:
            digest = content_hash(data)
        previous = last_state(ref)
        if not force and previous is not None and previous.content_hash == digest:
            unchanged.append(ref)
            continue
        table = table or read_table(data, path, ref, source, numeric)
        batches.append(
            Batch(ref, table.frame, table.row_numbers, SourceState(digest, None, None), "row")
        )
    return SourceRead(batches, unchanged)


def read_table(
    data: bytes, path: Path, label: str, source: FileSource, numeric: tuple[str, ...] = ()
) -> Table:
    """Parse one file by its extension."""
    suffix = path.suffix.lower()
    try:
        if suffix in XLSX_SUFFIXES:
            return read_xlsx_bytes(
                data, label=label, sheet=source.sheet, header_row=source.header_row
            )
        if suffix in CSV_SUFFIXES:
            delimiter = "\t" if suffix == ".tsv" else source.delimiter
            return read_csv_bytes(
                data,
                label=label,
                encoding=source.encoding,
                delimiter=delimiter,
                header_row=source.header_row,
                numeric=numeric,
            )
    except TableError as exc:
        raise SourceError(str(exc)) from None
    raise SourceError(
        f"{label}: cannot read '{suffix or 'no extension'}' files; save it as .csv or .xlsx"
    )
