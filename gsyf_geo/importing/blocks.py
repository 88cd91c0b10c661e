"""A file imported block by block, in memory bounded by the block size, not the file's.

:func:`import_blocks` does what :func:`~gsyf_geo.importing.load.prepare_import` followed by
:func:`~gsyf_geo.importing.load.load_prepared` do, with the same checks, messages, counts
and all-or-nothing rule, for a file of any length:

1. **Check** — the file is read as a stream and parsed :data:`BLOCK_ROWS` rows at a time;
   each block is checked row by row and set aside in a temporary file. Only what the
   whole-file checks need stays in memory: a 16-byte digest and the row number of every
   key (a key twice in the file rejects both rows), and for enterprises a digest of every
   name with its credit code (a name under several codes is noted).
2. **Compare** — block by block: the rows are compared with the store, placed, classified
   (insert, update, unchanged); the rows to write are set aside again.
3. **Write** — when the file is accepted (no rejected row, or ``partial`` with some good
   rows), every block set aside is written in ONE transaction; anything that fails rolls
   all of it back. A rejected file writes no data, only its "rejected" batch record.

The temporary files (the file's typed rows, twice) are deleted at the end.

:func:`preview_blocks` is steps 1 and 2 without writing anything (the import page's preview
before its 导入 button): it returns a small :class:`~gsyf_geo.importing.preview.FilePreview`
— the counts, the capped problem list and the preview rows — never the file's rows.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import PurePath
from typing import IO

import numpy as np
import pandas as pd

from gsyf_geo.crs import normalize_system
from gsyf_geo.importing import geocode as G
from gsyf_geo.importing import schema as S
from gsyf_geo.importing.load import (
    ImportResult,
    Prepared,
    ProgressFn,
    _build_frame,
    _progress,
    _record_batch,
    os_user,
    retry_busy,
    write_rows,
)
from gsyf_geo.importing.preview import (
    PREVIEW_ROWS,
    FilePreview,
    choose_rows,
    rows_table,
    unreadable_table,
)
from gsyf_geo.importing.problems import ImportFileError, Problem
from gsyf_geo.importing.readers import FileData, iter_chunks, read_table
from gsyf_geo.importing.validate import key_digest, parse_blocks, start_parse
from gsyf_geo.store import CITY, Scope, Store

BLOCK_ROWS = 20_000  # rows checked and compared at a time (GSYF_IMPORT_BLOCK_ROWS overrides)


def block_rows() -> int:
    """Rows per block: :data:`BLOCK_ROWS`, or the ``GSYF_IMPORT_BLOCK_ROWS`` variable."""
    raw = os.environ.get("GSYF_IMPORT_BLOCK_ROWS", "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else BLOCK_ROWS


def file_sha256(data: FileData) -> str:
    """SHA-256 of the file, read in pieces."""
    h = hashlib.sha256()
    for chunk in iter_chunks(data):
        h.update(chunk)
    return h.hexdigest()


class NameCodes:
    """Enterprise names and their credit codes across a file, in bounded memory.

    Per row: a 16-byte digest of the name, the code (as bytes) and the row number. After
    the last block, :meth:`several` gives the names (by digest) that carry more than one
    code, with those codes.
    """

    def __init__(self) -> None:
        self._names: list[np.ndarray] = []
        self._codes: list[np.ndarray] = []
        self._several: dict[bytes, list[str]] | None = None

    def add(self, frame: pd.DataFrame) -> None:
        """Record the (name, code) pairs of a block; rows missing either are skipped."""
        names: list[bytes] = []
        codes: list[bytes] = []
        for name, code in zip(frame["name"].tolist(), frame["credit_code"].tolist(), strict=True):
            if isinstance(name, str) and isinstance(code, str):
                names.append(key_digest((name,)))
                codes.append(code.encode("utf-8"))
        if names:
            self._names.append(np.frombuffer(b"".join(names), dtype="S16"))
            self._codes.append(np.array(codes))

    def several(self) -> dict[bytes, list[str]]:
        """Name digest → its distinct codes, for names with more than one code."""
        if self._several is not None:
            return self._several
        self._several = {}
        if self._names:
            names = np.concatenate(self._names)
            codes = np.concatenate(self._codes)
            self._names, self._codes = [], []
            order = np.lexsort((codes, names))
            names, codes = names[order], codes[order]
            new_name = np.r_[True, names[1:] != names[:-1]]
            new_pair = new_name | np.r_[True, codes[1:] != codes[:-1]]
            starts = np.flatnonzero(new_name)
            ends = np.r_[starts[1:], len(names)]
            distinct = np.add.reduceat(new_pair.astype(np.int64), starts)
            for start, end in zip(starts[distinct > 1], ends[distinct > 1], strict=True):
                codes_of_name = codes[start:end][new_pair[start:end]]
                # numpy gives an S16 item without its trailing NUL bytes; lookups strip them too
                self._several[bytes(names[start])] = sorted(c.decode("utf-8") for c in codes_of_name)
        return self._several

    def of_block(self, frame: pd.DataFrame) -> dict[str, list[str]]:
        """The names of a block that carry several codes in the file, with the codes."""
        several = self.several()
        if not several or "name" not in frame:
            return {}
        out: dict[str, list[str]] = {}
        for name in set(frame["name"].dropna().tolist()):
            codes = several.get(key_digest((name,)).rstrip(b"\x00"))
            if codes is not None:
                out[name] = codes
        return out


def _dump(frame: pd.DataFrame, spill: IO[bytes]) -> None:
    pickle.dump(frame, spill, protocol=pickle.HIGHEST_PROTOCOL)


def _load_all(spill: IO[bytes], count: int) -> Iterator[pd.DataFrame]:
    spill.seek(0)
    for _ in range(count):
        yield pickle.load(spill)  # noqa: S301 - our own temporary file


def import_blocks(
    store: Store,
    kind: str,
    data: FileData,
    file_name: str,
    crs: str = "wgs84",
    partial: bool = False,
    user: str | None = None,
    scope: Scope = CITY,
    geocoders: list[G.OnlineGeocoder] | None = None,
    progress: ProgressFn | None = None,
    rows_per_block: int | None = None,
) -> ImportResult:
    """Check and load a file block by block (see the module doc).

    Parameters
    ----------
    store
        The store.
    kind
        One of :data:`gsyf_geo.importing.schema.IMPORTABLE_KINDS`.
    data
        The file's bytes, or its path (then read as a stream, never whole).
    file_name
        Its name, for messages.
    crs
        Coordinate system of the file's coordinates: ``wgs84``, ``gcj02`` or ``bd09``.
    partial
        Load the good rows even when others are rejected.
    user
        Who imports (default: the operating-system user).
    scope
        Rows outside it are rejected.
    geocoders
        The online geocoders (default: the configured ones).
    progress
        ``progress(fraction, message)``; an exception it raises while writing rolls
        everything back.
    rows_per_block
        Rows checked at a time (default :func:`block_rows`).

    Returns
    -------
    ImportResult
        As :func:`~gsyf_geo.importing.load.import_file`: bad input never raises.
    """
    S.kind_spec(kind)
    crs = normalize_system(crs)
    name = PurePath(file_name).name or "上传文件"
    size = rows_per_block or block_rows()
    prep = Prepared(kind, name, file_sha256(data), crs)
    with tempfile.TemporaryFile(prefix="gsyf_import_") as checked, \
            tempfile.TemporaryFile(prefix="gsyf_import_") as to_write:  # fmt: skip
        checked_blocks, names = _check(prep, data, size, checked, progress)
        user = user or os_user()
        if prep.parsed is None:
            result = _result(prep, user)
            _record_batch(store, prep, result, user, status="rejected")
            return result
        parsed = prep.parsed

        # Compare each block with the store; set aside the rows to write. A provider that
        # failed (network, key, quota) is not asked again for later blocks.
        providers = [_Provider(g) for g in (G.configured_geocoders() if geocoders is None else geocoders)]
        counts: Counter = Counter()
        placed: Counter = Counter()
        flagged = 0
        good = 0
        to_write_blocks = 0
        to_write_rows = 0
        for block, keep in _compared(store, prep, checked, checked_blocks, names, scope, providers, progress):
            frame, action = block.frame, block.action
            good += int(keep.sum())
            counts.update(action[keep].tolist())
            if "outside_named_district" in frame:
                flagged += int(frame["outside_named_district"][keep].astype(bool).sum())
            if block.placed_by is not None:
                placed.update(k for k, ok in zip(block.placed_by.tolist(), keep, strict=True) if k is not None and ok)
            write = keep & (action != "unchanged").to_numpy()
            if write.any() and (partial or not parsed.bad_rows):
                _dump(frame if write.all() else frame[write], to_write)
                to_write_blocks += 1
                to_write_rows += int(write.sum())
            del frame, action, block

        result = _result(prep, user)
        result.flagged, result.placed = flagged, dict(placed)
        if not (not parsed.bad_rows or (partial and good)):
            _record_batch(store, prep, result, user, status="rejected")
            return result
        result.inserted, result.updated, result.unchanged = counts["insert"], counts["update"], counts["unchanged"]
        result.status = "partial" if parsed.bad_rows else ("done" if to_write_rows else "unchanged")

        def write() -> ImportResult:
            write_rows(store, prep, result, lambda: _load_all(to_write, to_write_blocks), to_write_rows,
                       scope, progress)  # fmt: skip
            return result

        return retry_busy(write, progress)


def preview_blocks(
    store: Store,
    kind: str,
    data: FileData,
    file_name: str,
    crs: str = "wgs84",
    scope: Scope = CITY,
    progress: ProgressFn | None = None,
    rows_per_block: int | None = None,
    limit: int = PREVIEW_ROWS,
) -> FilePreview:
    """What importing a file would do, checked block by block as :func:`import_blocks`
    checks it, writing nothing: what the import page shows before the 导入 button.

    The same checks, messages and counts as :func:`import_blocks` (and as
    :func:`~gsyf_geo.importing.load.prepare_import` with ``online=False``: rows without
    coordinates are placed offline only), in memory bounded by the block size; what is
    returned holds the counts, the capped problem list and the ``limit`` preview rows
    chosen as :func:`~gsyf_geo.importing.preview.preview_table` chooses them, never the
    file's rows.

    Parameters
    ----------
    store, kind, data, file_name, crs, scope, rows_per_block
        As for :func:`import_blocks`.
    progress
        ``progress(fraction, message)``, called now and then.
    limit
        Rows in the preview table.

    Returns
    -------
    FilePreview
        Bad input never raises: an unreadable file or a bad header comes back with
        ``readable`` False and its problems.
    """
    S.kind_spec(kind)
    crs = normalize_system(crs)
    name = PurePath(file_name).name or "上传文件"
    size = rows_per_block or block_rows()
    prep = Prepared(kind, name, file_sha256(data), crs)
    with tempfile.TemporaryFile(prefix="gsyf_preview_") as checked:
        checked_blocks, names = _check(prep, data, size, checked, progress)
        if prep.parsed is None:
            table, css = unreadable_table(prep.problems)
            return FilePreview(kind, name, prep.sha256, crs, False, table, css, prep.file_format,
                               list(prep.problems))  # fmt: skip
        parsed = prep.parsed
        field_of = {i: f for f, i in parsed.header.columns.items()}
        width = len(parsed.header.cells)
        counts: Counter = Counter()
        good = 0
        # The rows the preview may show that are not kept as written (parsed.raw): their
        # values as read, for the first ``limit`` rows and the first ``limit`` rows with errors.
        first: list[int] = []
        as_read: dict[int, list[object]] = {}
        bad_as_read = 0
        for block, keep in _compared(store, prep, checked, checked_blocks, names, scope, None, progress):
            good += int(keep.sum())
            counts.update(block.action[keep].tolist())
            values = parsed.values
            wanted = values.index[: max(limit - len(first), 0)].tolist()
            first += wanted
            if bad_as_read < limit:
                for n in values.index[~keep].tolist():
                    if n not in parsed.raw:
                        wanted.append(n)
                        bad_as_read += 1
                        if bad_as_read >= limit:
                            break
            for n in wanted:
                if n not in parsed.raw and n not in as_read:
                    row = values.loc[n]
                    as_read[n] = [row.get(field_of[i]) if i in field_of else None for i in range(width)]
            del block, values
        _progress(progress, 0.95, "生成预览…")
        numbers = choose_rows(first, parsed.rows_read, parsed.bad_rows, parsed.raw, limit)
        raw = parsed.raw
        table, css = rows_table(parsed.header.cells, numbers, lambda n: raw[n] if n in raw else as_read.get(n, []),
                                prep.problems, parsed.bad_rows)  # fmt: skip
        preview = FilePreview(
            kind, name, prep.sha256, crs, True, table, css, prep.file_format, list(prep.problems),
            prep.omitted, parsed.rows_read, len(parsed.bad_rows), good,
            counts["insert"], counts["update"], counts["unchanged"],
        )  # fmt: skip
    _progress(progress, 1.0, "检查完成")
    return preview


def _check(
    prep: Prepared, data: FileData, size: int, checked: IO[bytes], progress: ProgressFn | None
) -> tuple[int, NameCodes | None]:
    """Step 1 (see the module doc): read and check the file ``size`` rows at a time, each
    block set aside in ``checked``. Sets ``prep.parsed`` (None, with ``prep.file_problems``,
    when the file is refused). Returns the number of blocks and, for enterprises, the names
    and codes of the whole file."""
    _progress(progress, 0.02, "读取文件…")
    try:
        table = read_table(data, prep.file_name)
        prep.file_format = table.description
        _progress(progress, 0.08, "检查表头和各行…")
        parsed = start_parse(table, prep.kind)
        columns = set(parsed.header.columns)
        names = NameCodes() if prep.kind == "enterprise" and {"name", "credit_code"} <= columns else None
        blocks = 0
        frame = None
        for frame in parse_blocks(parsed, size, lambda f: _progress(progress, 0.08 + 0.17 * f, "检查各行…")):
            if names is not None:
                names.add(frame)
            _dump(frame, checked)
            blocks += 1
        del frame
    except ImportFileError as exc:
        prep.file_problems = exc.problems or [Problem(prep.file_name, None, None, str(exc))]
        prep.parsed = None
        return 0, None
    prep.parsed = parsed
    return blocks, names


def _compared(
    store: Store,
    prep: Prepared,
    checked: IO[bytes],
    blocks: int,
    names: NameCodes | None,
    scope: Scope,
    providers: list[_Provider] | None,
    progress: ProgressFn | None,
) -> Iterator[tuple[Prepared, np.ndarray]]:
    """Step 2: each checked block compared with the store and placed (online with
    ``providers``, offline only when None), with the mask of its rows without errors.
    While a block is yielded, ``prep.parsed.values`` holds its rows."""
    parsed = prep.parsed
    assert parsed is not None
    for b, values in enumerate(_load_all(checked, blocks)):
        parsed.values = values
        block = Prepared(prep.kind, prep.file_name, prep.sha256, prep.crs, parsed=parsed, file_format=prep.file_format)
        base, span = 0.25 + 0.6 * b / blocks, 0.6 / blocks
        step = _block_progress(progress, base, span, b, blocks)
        online = [g for g in providers if g.failure is None] if providers is not None else None
        _build_frame(store, block, scope, providers is not None, online, step,
                     names.of_block(values) if names is not None else None)  # fmt: skip
        bad = parsed.bad_rows
        frame = block.frame
        keep = np.fromiter((r not in bad for r in frame.index.tolist()), dtype=bool, count=len(frame))
        del frame, values
        yield block, keep
    parsed.values = pd.DataFrame()


class _Provider:
    """An online geocoder that remembers its failure (and then fails at once)."""

    def __init__(self, geocoder: G.OnlineGeocoder) -> None:
        self.geocoder = geocoder
        self.name = geocoder.name
        self.label = geocoder.label
        self.failure: G.GeocoderError | None = None

    def lookup(self, query: str) -> G.GeoHit | None:
        if self.failure is not None:
            raise self.failure
        try:
            return self.geocoder.lookup(query)
        except G.GeocoderError as exc:
            self.failure = exc
            raise


def _result(prep: Prepared, user: str) -> ImportResult:
    return ImportResult(
        prep.kind, prep.file_name, prep.sha256, user, "rejected",
        rows_read=prep.rows_read, problems=list(prep.problems), file_format=prep.file_format,
        omitted=prep.omitted, rejected=len(prep.bad_rows) if prep.readable else 0,
    )  # fmt: skip


def _block_progress(
    progress: ProgressFn | None, base: float, span: float, block: int, blocks: int
) -> ProgressFn | None:
    """The progress of one block's comparison (0.25–0.85 of it) mapped into its share."""
    if progress is None:
        return None
    where = f"（第 {block + 1}/{blocks} 部分）" if blocks > 1 else ""

    def step(fraction: float, message: str) -> None:
        _progress(progress, base + span * min(max((fraction - 0.25) / 0.6, 0.0), 1.0), message + where)

    return step

