"""SVO scoring out of core: :func:`score_dask` over a Parquet survey on Dask.

The survey (a Parquet file or a folder of them, millions of respondents) is read with
:func:`dask.dataframe.read_parquet`, one partition per row group, and each partition runs the
in-memory code: the checks of :func:`svo.read_survey`, :func:`svo.score_report` and
:func:`svo.scored_table`. The output is the table ``collective svo score --out`` writes,
row for row the in-memory one (respondents in order of first appearance, files in name
order), with the :class:`~svo.SurveyReport` and :class:`~svo.ScoreSummary` of the whole
survey combined from the partitions.

- **Wide** (one row per respondent): no shuffle. Each row group is scored where it is and the
  parts keep the input order. Duplicate ids are found first by a cheap pass that shuffles
  only the id column (normalised as the checks do); the rows sharing an id are few and come
  back to the client. Under ``errors='raise'`` any such row stops the run (naming the rows);
  under ``errors='coerce'`` each partition also sees, as placeholder rows, the other rows of
  its repeated ids, so that it drops every row of such an id and words the problem as the
  in-memory path does.
- **Long** (respondent, item, choice): a respondent's rows may sit in several files, so the
  rows are hash-shuffled by respondent; each shuffled partition then holds every row of its
  respondents, in input order. The scored rows carry the input position of each
  respondent's first row, and a second pass sorts by it.

Rows are named by their file and 0-based row in it (``row 17 of a.parquet``) and by the
partition; the output goes to a hidden temporary folder beside ``out`` that is renamed into
place when complete, so a failed run leaves no ``out``. On a remote cluster the input and
``out`` must be paths every worker can read and write (a shared file system).
"""

from __future__ import annotations

import dataclasses
import os
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from _common import dask as _dask
from _common.dask import ROW, SHIFT, Origins
from _common.progress import report
from _common.validation import check_int

from ._errors import SurveyError, SVOError
from ._items import CATEGORIES, N_PRIMARY
from ._readers import _find_id, _Where
from ._results import Problem, SurveyReport
from ._score import SCORE_COLUMNS, score_report
from ._survey import _check_parameters, _report
from ._tables import ScoreSummary, scored_table
from ._validate_survey import _check_table, _ids, _Issues

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["ScoredSurvey", "score_dask"]

_FUNC = "score_dask"
_ID, _HASH, _FIRST = "_id", "_hash", "_first"
_PROBE_ROWS = 64
_MAX_LISTED = 5


@dataclass(frozen=True)
class ScoredSurvey:
    """What :func:`score_dask` returns: the scored table or the folder it was written to,
    with the survey's report and summary.

    Attributes
    ----------
    table : pandas.DataFrame or None
        The scored table (without ``out``): the columns and rows of :func:`svo.scored_table`.
    path : Path or None
        The folder written (with ``out``); ``files`` its Parquet parts in order.
    files : tuple of Path
    rows : int
        Respondents in the scored table.
    report : SurveyReport
        As :func:`svo.read_survey` reports it for the whole survey (``dropped`` rows are the
        0-based rows of their files; the messages name the file).
    summary : ScoreSummary
        As :func:`svo.summarize` gives it for the scored respondents.
    """

    table: pd.DataFrame | None
    path: Path | None
    files: tuple[Path, ...]
    rows: int
    report: SurveyReport
    summary: ScoreSummary


@dataclass(frozen=True)
class _FileRows(_Where):
    """Names a partition's rows by file and row; ``positions`` holds their :data:`ROW` keys."""

    origins: tuple[tuple[str, int], ...] = ()

    def __call__(self, i: int) -> str:
        file, row = _dask.file_row(int(self.positions[i]), list(self.origins))
        return f"row {row} of {file}"

    @property
    def convention(self) -> str:
        return "rows are 0-based positions in their Parquet files"


@dataclass(frozen=True)
class _Plan:
    """How every partition is checked and scored."""

    layout: str
    id_name: Any
    option_base: int
    errors: str
    origins: tuple[tuple[str, int], ...]
    schema: Any  # pyarrow.Schema of the output parts


def _prepared(part: pd.DataFrame) -> pd.DataFrame:
    """A partition as :func:`svo.read_survey` reads a Parquet table: a named index as a
    column, blank rows left out (they keep their row key)."""
    if part.index.name is not None:
        part = part.reset_index()
    data = part.drop(columns=[ROW])
    blank = data.isna().to_numpy().all(axis=1) if data.shape[1] else np.ones(len(part), bool)
    return part[~blank].reset_index(drop=True)


def _normal_ids(part: pd.DataFrame, id_name: Any) -> Any:
    """The ids as the checks read them (strings stripped), NaN where empty."""
    ids, empty = _ids(part, id_name, _Issues())
    return ids.where(~empty)


def _with_hash(part: pd.DataFrame, id_name: Any) -> pd.DataFrame:
    """The partition with a 64-bit hash of each row's normalised id (shuffled on: smaller
    and faster than the ids themselves; equal ids, equal hashes)."""
    import pandas as pd

    part = _prepared(part)
    ids = _normal_ids(part, id_name).astype(object)
    return part.assign(**{_HASH: pd.util.hash_pandas_object(ids, index=False).to_numpy()})


def _repeated(part: pd.DataFrame) -> pd.DataFrame:
    return part[part[_ID].duplicated(keep=False)]


def score_dask(
    source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    *,
    out: str | os.PathLike[str] | None = None,
    errors: Literal["raise", "coerce"] = "raise",
    option_base: Literal[0, 1] = 0,
    id_column: str | None = None,
    format: Literal["auto", "wide", "long"] = "auto",
    scheduler: str | None = None,
    memory_limit: str | int = "1GiB",
    n_workers: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> ScoredSurvey:
    """Read, check and score a Parquet survey on a Dask cluster, as ``collective svo score``.

    Parameters
    ----------
    source : path, or a list of paths
        A Parquet file, a folder of Parquet files (read in name order) or a list of files,
        wide or long (see :func:`svo.read_survey`); each row group is one input partition.
    out : path, optional
        A new folder receiving the scored table as ``part-00000.parquet``, ...; written to a
        temporary folder beside it and renamed into place at the end. Without it the table is
        returned in :attr:`ScoredSurvey.table` (for tables that fit in memory).
    errors, option_base, id_column, format
        As in :func:`svo.read_survey`.
    scheduler : str, optional
        An existing cluster's scheduler address (``tcp://host:8786``); default
        ``$DASK_SCHEDULER_ADDRESS``, else a ``LocalCluster`` of ``n_workers`` worker processes
        (one thread each, a nanny restarting a dead worker) started for this call.
    memory_limit : str or int, default "1GiB"
        Each local worker's memory limit, at least 256MiB. A worker holds one row group at a
        time (a few times its size while it is checked and scored) on top of about 250 MB of
        its own; a worker above 95 % of its limit is restarted and its tasks retried, so
        keep row groups to a few hundred thousand respondents under a 1GiB limit.
    n_workers : int, default 2
        Local worker processes.
    progress : callable, optional
        ``progress(passes_done, 2)``: wide, after the duplicate-id pass and the scoring pass;
        long, after the scoring pass and the ordering pass.

    Returns
    -------
    ScoredSurvey
        The scored table (or the folder), its number of rows, the survey's report and the
        summary of the scores.

    Raises
    ------
    SurveyError, ChoiceError
        As :func:`svo.read_survey`, the rows named by file and row and the partition named;
        a missing or unreadable input; ``out`` exists already.

    Examples
    --------
    >>> import tempfile, pandas as pd, svo
    >>> from pathlib import Path
    >>> choices = [[0, 8, 0, 0, 8, 8], [0, 8, 8, 3, 4, 8], [8, 8, 8, 8, 0, 0]]
    >>> answers = pd.DataFrame(choices, columns=svo.PRIMARY_COLUMNS).assign(
    ...     respondent=["a", "b", "c"], group=["x", "y", "x"])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     answers.to_parquet(Path(tmp) / "s.parquet", row_group_size=2)
    ...     result = score_dask(tmp, n_workers=1)
    >>> result.table[["respondent", "group", "category"]].values.tolist()
    [['a', 'x', 'altruistic'], ['b', 'y', 'prosocial'], ['c', 'x', 'individualistic']]
    >>> result.summary.counts["prosocial"], result.report.n_respondents
    (1, 3)
    """
    _dask.require_dask(_FUNC, SVOError)
    import dask

    _check_parameters(_FUNC, format, option_base, errors)
    check_int(n_workers, "n_workers", _FUNC, 1, error=SVOError)
    files = _dask.parquet_files(source, _FUNC, SurveyError)
    # unreadable files, different columns and malformed tables fail here, before any cluster
    origins = _dask.row_group_origins(files, SurveyError)
    plan = _probe(files, origins, format, id_column, option_base, errors)
    target = None if out is None else _dask.new_folder(out, _FUNC, SVOError)
    label = str(source) if isinstance(source, str | os.PathLike) else str(files[0])
    # strings as pandas reads them (the in-memory path's dtypes), not Arrow strings
    with dask.config.set({"dataframe.convert-string": False}), \
            _dask.dask_client(scheduler, memory_limit, n_workers, _FUNC, SVOError) as client:
        # no column projection: dask would fuse row groups, and the row keys name row groups
        keyed, read = _dask.read_keyed(files, origins)
        plan = dataclasses.replace(plan, origins=tuple(read))
        if plan.layout == "wide":
            return _score_wide(client, keyed, plan, target, label, progress)
        return _score_long(client, keyed, plan, target, label, progress)


def _first_rows(files: list[Path]) -> tuple[Path, pd.DataFrame]:
    """The first rows of the first row group that has rows, and its file."""
    import pyarrow.parquet as pq

    for f in files:
        parquet = pq.ParquetFile(f)
        for i in range(parquet.num_row_groups):
            if parquet.metadata.row_group(i).num_rows:
                rows = parquet.read_row_group(i).slice(0, _PROBE_ROWS).to_pandas()
                return f, (rows.reset_index() if rows.index.name is not None else
                           rows.reset_index(drop=True))
    raise SurveyError(f"The survey file {str(files[0])!r} has no data rows (only a header).")


def _probe(files: list[Path], origins: Origins, format: str, id_column: str | None,
           option_base: int, errors: str) -> _Plan:
    """Check the first rows of the data set: the layout, the id column and the output
    schema; a malformed table (missing columns, clashing names) fails here."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    file, raw = _first_rows(files)
    where = _Where(str(file), "position", np.arange(len(raw)))
    table, _, _, layout = _check_table(raw, where, format, id_column, option_base, "coerce")
    id_name = _find_id(raw.columns, id_column)
    scored = scored_table(table, score_report(table, errors="coerce").scores).iloc[:0]
    # the demographics as the input stores them (a column without a value in the first
    # rows must not be written as nulls only), the scores as pandas gives them
    arrow = pq.read_schema(file)
    base = pa.Schema.from_pandas(scored, preserve_index=False)
    fields = []
    for field in base:
        source = id_name if field.name == "respondent" else field.name
        if field.name not in SCORE_COLUMNS and source in arrow.names:
            field = pa.field(field.name, arrow.field(source).type)
        fields.append(field)
    schema = pa.schema(fields, metadata=base.metadata)
    return _Plan(layout, id_name, option_base, errors, tuple(origins), schema)


def _score_part(df: pd.DataFrame, part: int, plan: _Plan, source: str,
                ghosts: pd.DataFrame | None = None, write: str | None = None
                ) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Check and score one partition; the scored table (with the row key of each
    respondent's first row) and the partition's counts, problems and summary sums."""
    import pandas as pd

    if not len(df):
        return _empty(plan), _stats(None, None, None, 0, [], plan.layout, [])
    df = df.sort_values(ROW, kind="stable")
    keys = df[ROW].to_numpy(dtype=np.int64)
    raw = df.drop(columns=[ROW, _HASH], errors="ignore").reset_index(drop=True)
    before = after = 0
    if ghosts is not None and len(ghosts) and len(raw):
        # the other rows of this partition's repeated ids, as copies of row 0 with their id
        # and key: the checks then see every row of those ids (dropped: not this partition's)
        early = ghosts[ghosts[ROW].to_numpy() < keys[0]]
        late = ghosts[ghosts[ROW].to_numpy() > keys[0]]
        before, after = len(early), len(late)
        copies = raw.iloc[[0] * (before + after)].reset_index(drop=True)
        copies[plan.id_name] = pd.concat([early[_ID], late[_ID]]).to_numpy()
        raw = pd.concat([copies.iloc[:before], raw, copies.iloc[before:]], ignore_index=True)
        keys = np.concatenate([early[ROW].to_numpy(), keys, late[ROW].to_numpy()])
    n_rows = len(keys) - before - after
    where = _FileRows(source, "file", keys, origins=plan.origins)
    mine = ((keys >> SHIFT) == part) if ghosts is not None else np.ones(len(keys), bool)
    table, problems, items, layout = _check_table(raw, where, plan.layout, plan.id_name,
                                                  plan.option_base, plan.errors)
    dropped = [(p.row, dataclasses.replace(p, row=_dask.file_row(p.row, list(plan.origins))[1]))
               for p in problems if ghosts is None or (p.row >> SHIFT) == part]
    result = score_report(table, errors=plan.errors)
    scored = scored_table(table, result.scores)
    ids = _normal_ids(raw[mine].reset_index(drop=True), plan.id_name)
    firsts = (~ids.duplicated() & ids.notna()).to_numpy()  # the rows are in input order
    first = pd.Series(keys[mine][firsts], index=ids[firsts].to_numpy())
    table = table.assign(**{_FIRST: first.reindex(table.index).to_numpy(dtype=np.int64)})
    scored[_FIRST] = table[_FIRST].to_numpy()
    stats = _stats(table, result.scores, where, n_rows, items, layout, dropped)
    if write is not None and len(scored):
        _write_part(scored, plan.schema, write, keep_first=plan.layout == "long")
    return (scored if write is None else scored.iloc[:0]), stats


def _write_part(scored: pd.DataFrame, schema: pa.Schema, path: str, keep_first: bool) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    if keep_first:
        schema = schema.append(pa.field(_FIRST, pa.int64()))
    else:
        scored = scored.drop(columns=[_FIRST])
    pq.write_table(pa.Table.from_pandas(scored, schema=schema, preserve_index=False), path)


def _stats(table: pd.DataFrame | None, scores: pd.DataFrame | None, where: _Where | None,
           n_rows: int, items: list[str], layout: str,
           dropped: list[tuple[int, Problem]]) -> dict[str, Any]:
    """A partition's report counts, problems and the sums of the summary (``table`` with
    the :data:`_FIRST` key of each respondent; ``None`` for a partition without rows)."""
    stats: dict[str, Any] = {
        "n_rows": n_rows, "n_respondents": 0, "n_scorable": 0, "n_complete": 0,
        "n_items": N_PRIMARY, "incomplete": [], "dropped": dropped, "n": 0, "mean": 0.0,
        "m2": 0.0, "counts": {}, "transitive": 0}
    if table is None or scores is None or where is None:
        return stats
    rep = _report(table.drop(columns=[_FIRST]), where, n_rows, (), items, layout)
    ok = scores[scores["angle"].notna()]
    angles = ok["angle"].to_numpy(dtype=float)
    mean = float(np.mean(angles)) if len(angles) else 0.0
    firsts = table[_FIRST].to_numpy()[table.index.get_indexer(list(rep.incomplete))]
    stats.update({
        "n_respondents": rep.n_respondents, "n_scorable": rep.n_scorable,
        "n_complete": rep.n_complete, "n_items": rep.n_items,
        "incomplete": list(zip(firsts.tolist(), rep.incomplete, strict=True)),
        "n": len(angles), "mean": mean, "m2": float(((angles - mean) ** 2).sum()),
        "counts": ok["category"].astype(object).value_counts().to_dict(),
        "transitive": int(ok["transitive"].astype(float).sum())})
    return stats


def _empty(plan: _Plan) -> pd.DataFrame:
    """The scored table without rows (with the :data:`_FIRST` key)."""
    table = plan.schema.empty_table().to_pandas()
    return table.assign(**{_FIRST: np.zeros(0, dtype=np.int64)})


def _combine(stats: list[dict[str, Any]], label: str, layout: str
             ) -> tuple[SurveyReport, ScoreSummary]:
    """The survey's report and summary from its partitions' (Chan et al.'s pairwise update
    for the mean and variance of the angles)."""
    n, mean, m2 = 0, 0.0, 0.0
    for s in stats:
        if s["n"]:
            total = n + s["n"]
            delta = s["mean"] - mean
            mean += delta * s["n"] / total
            m2 += s["m2"] + delta * delta * n * s["n"] / total
            n = total
    counts = {c: sum(int(s["counts"].get(c, 0)) for s in stats) for c in CATEGORIES}
    summary = ScoreSummary(
        n=n, counts=counts, angle_mean=mean if n else None,
        angle_sd=float(np.sqrt(m2 / (n - 1))) if n > 1 else None,
        transitive_share=sum(s["transitive"] for s in stats) / n if n else None)
    incomplete = sorted((x for s in stats for x in s["incomplete"]), key=lambda x: x[0])
    dropped = sorted((x for s in stats for x in s["dropped"]), key=lambda x: x[0])
    report_ = SurveyReport(
        source=label, n_rows=sum(s["n_rows"] for s in stats),
        n_scorable=sum(s["n_scorable"] for s in stats),
        n_complete=sum(s["n_complete"] for s in stats),
        incomplete=tuple(i for _, i in incomplete), dropped=tuple(p for _, p in dropped),
        n_respondents=sum(s["n_respondents"] for s in stats),
        n_items=max([s["n_items"] for s in stats if s["n_rows"]] or [N_PRIMARY]),
        format=layout)
    return report_, summary


def _no_rows(stats: list[dict[str, Any]], label: str) -> None:
    if not sum(s["n_rows"] for s in stats):
        raise SurveyError(f"The survey file {label!r} has no data rows (only a header).")


def _id_column(file: str, group: int | None, part: int, id_name: Any) -> pd.DataFrame:
    """The (normalised id, row key) of one input partition's rows with a non-empty id,
    reading only the id column (a blank row has no id, so it is left out as in the scoring
    pass)."""
    import pyarrow.parquet as pq

    parquet = pq.ParquetFile(file)
    table = (parquet.read([id_name]) if group is None else
             parquet.read_row_group(group, columns=[id_name]))
    frame = table.to_pandas(ignore_metadata=True)
    frame[ROW] = (np.int64(part) << SHIFT) + np.arange(len(frame), dtype=np.int64)
    ids = _normal_ids(frame, id_name).astype(object)
    return frame.assign(**{_ID: ids}).loc[ids.notna().to_numpy(), [_ID, ROW]]


def _groups(origins: tuple[tuple[str, int], ...]) -> list[int | None]:
    """The row group of each input partition (``None``: the whole file)."""
    counts = Counter(file for file, _ in origins)
    seen: Counter[str] = Counter()
    groups: list[int | None] = []
    for file, _ in origins:
        groups.append(None if counts[file] == 1 else seen[file])
        seen[file] += 1
    return groups


def _repeated_ids(client: Any, plan: _Plan) -> pd.DataFrame:
    """Every row whose (normalised) id is on another row too: the id column alone is read
    (per input partition, as the scoring pass reads them) and shuffled."""
    import dask.dataframe as dd
    import pandas as pd
    from dask import delayed

    meta = pd.DataFrame({_ID: pd.Series(dtype=object), ROW: pd.Series(dtype=np.int64)})
    parts = [delayed(_id_column)(file, group, i, plan.id_name)
             for i, ((file, _), group) in enumerate(zip(plan.origins, _groups(plan.origins),
                                                        strict=True))]
    ids = dd.from_delayed(parts, meta=meta, verify_meta=False)
    found = ids.shuffle(on=_ID, npartitions=ids.npartitions).map_partitions(_repeated,
                                                                            meta=meta)
    found = client.compute(found.to_delayed(), sync=True)
    return pd.concat(found, ignore_index=True).sort_values(ROW, kind="stable")


def _refuse_repeats(repeats: pd.DataFrame, plan: _Plan, label: str) -> None:
    """``errors='raise'``: the rows sharing an id, worded as :func:`svo.read_survey` does."""
    where = _FileRows(label, "file", repeats[ROW].to_numpy(), origins=plan.origins)
    groups = repeats.groupby(_ID, sort=False).indices
    listed = []
    for i, label_ in enumerate(repeats[_ID].head(_MAX_LISTED)):
        others = [j for j in groups[label_][:4] if j != i][:3]
        more = len(groups[label_]) - 1 - len(others)
        also = ", ".join(where(j) for j in others) + (f" and {more} more rows" if more else "")
        listed.append(f"{where(i)}, respondent {label_!r}, column {str(plan.id_name)!r}: "
                      f"respondent id {label_!r} is also on {also}; expected unique ids")
    n = len(repeats)
    more = f"; and {n - _MAX_LISTED} more" if n > _MAX_LISTED else ""
    raise SurveyError(
        f"{n} problems in {label} ({where.convention}): {'; '.join(listed)}{more}. To drop "
        "these respondents and list them in the report, set errors='coerce'.",
        settings=[("errors", "coerce")])


def _compute(client: Any, tasks: list[Any]) -> list[Any]:
    """The results of ``tasks``; on a failure, the other tasks are cancelled and the running
    ones waited for (at most a minute), so that none writes into the temporary folder while
    it is being removed."""
    import time

    futures = client.compute(tasks)
    try:
        return client.gather(futures)
    except BaseException:
        keys = {f.key for f in futures}
        client.cancel(futures)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and keys & {
                key for running in client.processing().values() for key in running}:
            time.sleep(0.05)
        raise


def _score_wide(client: Any, keyed: Any, plan: _Plan, target: Path | None,
                label: str, progress: Callable[[int, int], None] | None) -> ScoredSurvey:
    """Wide: the duplicate-id pass, then each row group scored where it is."""
    from dask import delayed

    report(progress, 0, 2)
    repeats = _repeated_ids(client, plan)
    if len(repeats) and plan.errors == "raise":
        _refuse_repeats(repeats, plan, label)
    report(progress, 1, 2)
    parts = keyed.map_partitions(_prepared, meta=_prepared(keyed._meta)).to_delayed()
    part_of = repeats[ROW].to_numpy() >> SHIFT
    with _staging(target) as tmp:
        if target is not None:
            tmp.mkdir()
        tasks = []
        for i, data in enumerate(parts):
            ghosts = None
            if len(repeats):
                own = repeats[_ID][part_of == i]
                ghosts = repeats[(part_of != i) & repeats[_ID].isin(own).to_numpy()]
            write = None if target is None else str(tmp / _dask.part_name(i))
            tasks.append(delayed(_score_part, pure=False)(
                data, i, plan, _source(plan, i), ghosts, write))
        done = _compute(client, tasks)
        stats = [s for _, s in done]
        _no_rows(stats, label)
        report(progress, 2, 2)
        rep, summary = _combine(stats, label, "wide")
        if target is None:
            table = _concat([t for t, _ in done]).drop(columns=[_FIRST])
            return ScoredSurvey(table, None, (), len(table), rep, summary)
        _fill_empty(tmp, plan)
        os.replace(tmp, target)
    written, n = _dask.count_rows(target)
    return ScoredSurvey(None, target, written, n, rep, summary)


def _staging(target: Path | None) -> Any:
    """:func:`_common.dask.staging` of ``target``; nothing without one."""
    return nullcontext(None) if target is None else _dask.staging(target)


def _source(plan: _Plan, part: int) -> str:
    return f"{plan.origins[part][0]} (input partition {part})"


def _concat(tables: list[pd.DataFrame]) -> pd.DataFrame:
    import pandas as pd

    return pd.concat([t for t in tables if len(t)] or tables[:1], ignore_index=True)


def _fill_empty(folder: Path, plan: _Plan) -> None:
    """A folder without a part (every respondent dropped) gets one empty part."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if not any(folder.glob("*.parquet")):
        pq.write_table(pa.Table.from_pylist([], schema=plan.schema),
                       folder / _dask.part_name(0))


def _shuffled_source(part: int) -> str:
    return f"shuffled partition {part}"


def _score_long(client: Any, keyed: Any, plan: _Plan, target: Path | None,
                label: str, progress: Callable[[int, int], None] | None) -> ScoredSurvey:
    """Long: shuffled by respondent, scored per partition, then ordered by first row."""
    from dask import delayed

    report(progress, 0, 2)
    meta = _with_hash(keyed._meta, plan.id_name)
    rows = keyed.map_partitions(_with_hash, plan.id_name, meta=meta)
    shuffled = rows.shuffle(on=_HASH, npartitions=keyed.npartitions).to_delayed()
    with _staging(target) as tmp:
        if target is not None:
            (tmp / "unsorted").mkdir(parents=True)
        tasks = [delayed(_score_part, pure=False)(
            data, i, plan, _shuffled_source(i), None,
            None if target is None else str(tmp / "unsorted" / _dask.part_name(i)))
            for i, data in enumerate(shuffled)]
        done = _compute(client, tasks)
        stats = [s for _, s in done]
        _no_rows(stats, label)
        report(progress, 1, 2)
        rep, summary = _combine(stats, label, "long")
        if target is None:
            table = _concat([t for t, _ in done]).sort_values(_FIRST, kind="stable")
            report(progress, 2, 2)
            table = table.drop(columns=[_FIRST]).reset_index(drop=True)
            return ScoredSurvey(table, None, (), len(table), rep, summary)
        if any((tmp / "unsorted").glob("*.parquet")):
            ordered = _dask.read_sorted(tmp / "unsorted", _FIRST)
            client.compute(ordered.to_parquet(tmp / "sorted", compute=False, write_index=False,
                                              name_function=_dask.part_name,
                                              schema=plan.schema), sync=True)
        else:
            (tmp / "sorted").mkdir()
            _fill_empty(tmp / "sorted", plan)
        os.replace(tmp / "sorted", target)
        report(progress, 2, 2)
    written, n = _dask.count_rows(target)
    return ScoredSurvey(None, target, written, n, rep, summary)
