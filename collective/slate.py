"""``collective slate OPINIONS.csv -k K``: a proportional slate of statements from opinions.

OPINIONS.csv holds one free-text opinion per participant (columns ``participant`` and
``opinion`` by default). The candidate statements are a pool CSV (``--pool``, column
``statement``) or, without one, the opinions themselves: each participant's opinion is a
candidate, as in the pilot of Fish et al. Every participant rates every candidate with an
embedding or a language-model rater (0--6), :func:`socialchoice.generative.generate_slate`
builds the slate round by round, and the slate is audited for balanced justified
representation (BJR) against the pool and compared with the baseline slates.

The same pipeline (:func:`read_opinions`, :func:`read_pool`, :func:`build_slate`) serves the
app's Slate page. Slots are numbered from 1 in every output, in the order the rounds filled
them.
"""

from __future__ import annotations

import csv
import enum
import inspect
import io
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import numpy as np
import typer
from rich import box
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn
from rich.table import Table
from rich.text import Text

import socialchoice as sc
from socialchoice import generative as gen

from ._console import fail, stderr, stdout
from .vote import OutputFormat

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = [
    "DEMO_FOLDER",
    "GeneratorChoice",
    "Opinions",
    "Pool",
    "RaterChoice",
    "SlateRun",
    "build_slate",
    "read_opinions",
    "read_pool",
    "slate_command",
]

#: The shipped demo data set (``opinions.csv``, ``pool.csv``, ``question.txt``).
DEMO_FOLDER = Path(__file__).resolve().parents[1] / "data" / "assistant_opinions"

#: ``progress(done, what)``: the share of the work done (0..1) and what is running.
ProgressFn = Callable[[float, str], Any]

Source = str | os.PathLike[str] | bytes


class RaterChoice(enum.StrEnum):
    """How participants' ratings of statements are estimated."""

    embedding = "embedding"
    llm = "llm"


class GeneratorChoice(enum.StrEnum):
    """Where each round's statement comes from."""

    pool = "pool"
    llm = "llm"


@dataclass(frozen=True)
class Opinions:
    """Participants and their opinions, read from a CSV (``name`` is used in messages)."""

    participants: tuple[str, ...]
    texts: tuple[str, ...]
    name: str = "opinions"

    def __len__(self) -> int:
        return len(self.texts)


@dataclass(frozen=True)
class Pool:
    """Candidate statements with their ids (``statement_id`` column or row numbers)."""

    ids: tuple[str, ...]
    statements: tuple[str, ...]
    name: str = "pool"

    def __len__(self) -> int:
        return len(self.statements)


def _rows_of(source: Source, name: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and data rows ``(row number, cells)``; rows count from the header (row 1)."""
    if isinstance(source, (bytes, bytearray)):
        raw = bytes(source)
    else:
        try:
            raw = Path(source).read_bytes()
        except FileNotFoundError:
            raise sc.GenerativeError(f"{name}: no such file.") from None
        except OSError as exc:
            raise sc.GenerativeError(f"{name} could not be read: {exc.strerror}.") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise sc.GenerativeError(
            f"{name} is not UTF-8 text (byte {exc.start}); save it as a UTF-8 CSV file."
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    try:
        for number, cells in enumerate(reader, 1):
            if header is None:
                header = [c.strip() for c in cells]
                if not any(header):
                    raise sc.GenerativeError(
                        f"{name}: row 1 must be a header with the column names; it is empty."
                    )
            elif any(c.strip() for c in cells):
                if len(cells) > len(header):
                    raise sc.GenerativeError(
                        f"{name}: row {number} has {len(cells)} cells but the header has "
                        f"{len(header)} columns; put texts that contain commas in double quotes."
                    )
                rows.append((number, cells + [""] * (len(header) - len(cells))))
    except csv.Error as exc:
        raise sc.GenerativeError(
            f"{name}: row {reader.line_num} is not valid CSV: {exc}."
        ) from None
    if header is None:
        raise sc.GenerativeError(f"{name} is empty; it needs a header row and one row per entry.")
    if not rows:
        raise sc.GenerativeError(f"{name} has a header but no data rows.")
    return header, rows


def _column(header: list[str], column: str, name: str, what: str) -> int:
    if column in header:
        return header.index(column)
    folded = [h.casefold() for h in header]
    if column.casefold() in folded:
        return folded.index(column.casefold())
    found = ", ".join(repr(h) for h in header)
    raise sc.GenerativeError(f"{name} has no column {column!r} ({what}); its columns are {found}.")


def _rows_list(numbers: list[int]) -> str:
    shown = ", ".join(str(r) for r in numbers[:10])
    more = f" and {len(numbers) - 10} more" if len(numbers) > 10 else ""
    return f"row{'s' if len(numbers) > 1 else ''} {shown}{more}"


def _texts(
    rows: list[tuple[int, list[str]]], j: int, column: str, name: str, what: str
) -> list[str]:
    texts = [cells[j].strip() for _, cells in rows]
    empty = [number for (number, _), t in zip(rows, texts, strict=True) if not t]
    if empty:
        raise sc.GenerativeError(
            f"{name}: column {column!r} is empty on {_rows_list(empty)} (the header is row 1); "
            f"every row needs {what}."
        )
    return texts


def _unique(ids: list[str], rows: list[tuple[int, list[str]]], column: str, name: str) -> None:
    first: dict[str, int] = {}
    for value, (number, _) in zip(ids, rows, strict=True):
        if value in first:
            raise sc.GenerativeError(
                f"{name}: column {column!r} must not repeat values; {value!r} is on rows "
                f"{first[value]} and {number}."
            )
        first[value] = number


def read_opinions(
    source: Source,
    *,
    opinion_column: str = "opinion",
    id_column: str | None = None,
    name: str | None = None,
) -> Opinions:
    """Read participants' free-text opinions from a CSV file (path) or its bytes.

    Parameters
    ----------
    source : path or bytes
        A UTF-8 CSV file with a header row (a byte-order mark is fine).
    opinion_column : str
        The column with the opinions (matched exactly, else ignoring case).
    id_column : str, optional
        The column with unique participant ids. By default ``participant`` when the file
        has that column, else the participants are numbered ``1..n``.
    name : str, optional
        How messages call the file (default: its file name).

    Raises
    ------
    socialchoice.GenerativeError
        The file is missing, not UTF-8 or not CSV, a column is missing (the message lists
        the columns found), an opinion or id is empty (the message lists the rows, counting
        the header as row 1), ids repeat, or a row has more cells than the header.

    Examples
    --------
    >>> ops = read_opinions(b"participant,opinion\\nann,Be kind.\\nbob,Be brief.\\n")
    >>> ops.participants, ops.texts
    (('ann', 'bob'), ('Be kind.', 'Be brief.'))
    """
    name = name or (Path(source).name if not isinstance(source, (bytes, bytearray)) else "opinions")
    header, rows = _rows_of(source, name)
    j = _column(header, opinion_column, name, "the opinions")
    texts = _texts(rows, j, header[j], name, "an opinion")
    if id_column is None and "participant" not in header:
        ids = [str(i) for i in range(1, len(rows) + 1)]
    else:
        c = _column(header, id_column or "participant", name, "the participant ids")
        ids = _texts(rows, c, header[c], name, "a participant id")
        _unique(ids, rows, header[c], name)
    return Opinions(tuple(ids), tuple(texts), name)


def read_pool(
    source: Source,
    *,
    statement_column: str = "statement",
    id_column: str = "statement_id",
    name: str | None = None,
) -> Pool:
    """Read candidate statements from a CSV file (path) or its bytes.

    Statements must be non-empty and unique. Ids come from ``id_column`` when the file has
    it, else the statements are numbered ``1..C``.

    Raises
    ------
    socialchoice.GenerativeError
        As :func:`read_opinions`, for the statement column; or a statement repeats.

    Examples
    --------
    >>> read_pool(b"statement\\nBe kind.\\nBe brief.\\n").statements
    ('Be kind.', 'Be brief.')
    """
    name = name or (Path(source).name if not isinstance(source, (bytes, bytearray)) else "pool")
    header, rows = _rows_of(source, name)
    j = _column(header, statement_column, name, "the statements")
    texts = _texts(rows, j, header[j], name, "a statement")
    _unique(texts, rows, header[j], name)
    if id_column in header:
        ids = [cells[header.index(id_column)].strip() for _, cells in rows]
    else:
        ids = [str(i) for i in range(1, len(rows) + 1)]
    return Pool(tuple(ids), tuple(texts), name)


def pool_from_opinions(opinions: Opinions) -> Pool:
    """Each distinct opinion as a candidate statement, with its (first) author as its id.

    Fish et al.'s pilot let each participant's own opinion compete as a statement; this is
    the pool ``collective slate`` uses when no ``--pool`` is given.

    Examples
    --------
    >>> pool_from_opinions(Opinions(("a", "b", "c"), ("Yes.", "No.", "Yes."))).ids
    ('a', 'b')
    """
    first = dict(zip(opinions.texts[::-1], opinions.participants[::-1], strict=True))
    texts = tuple(dict.fromkeys(opinions.texts))
    return Pool(tuple(first[t] for t in texts), texts, f"the opinions of {opinions.name}")


@dataclass(frozen=True, eq=False)
class SlateRun:
    """Everything :func:`build_slate` computed: slate, pool ratings, audit and comparison.

    Attributes
    ----------
    opinions, pool : Opinions, Pool
    k : int
    rater, generator : str
    seed : int
    question : str or None
    pool_utilities : ndarray of shape (n, C)
        Every participant's rating (0--6) of every pool statement.
    slate : socialchoice.generative.Slate
        The generative slate; agents are positions ``0..n-1``.
    baselines : dict of str to Slate
        Baseline slates on the same ratings (empty when the pool has fewer than k statements).
    violations : list of BJRViolation
        The slate's BJR violations against the pool.
    comparison : pandas.DataFrame
        :func:`socialchoice.generative.compare_slates` of the slate and the baselines.
    """

    opinions: Opinions
    pool: Pool
    k: int
    rater: str
    generator: str
    seed: int
    question: str | None
    pool_utilities: np.ndarray
    slate: gen.Slate
    baselines: dict[str, gen.Slate]
    violations: list[gen.BJRViolation]
    comparison: pd.DataFrame

    def slate_frame(self) -> pd.DataFrame:
        """One row per slot: ``slot`` (1..k), ``statement``, ``group_size``, ``mean_utility``."""
        import pandas as pd

        a, u, k = self.slate.assignment, self.slate.utilities, self.slate.k
        sizes = np.bincount(a, minlength=k)
        means = np.bincount(a, weights=u, minlength=k) / np.maximum(sizes, 1)
        return pd.DataFrame(
            {
                "slot": np.arange(1, k + 1),
                "statement": list(self.slate.statements),
                "group_size": sizes,
                "mean_utility": means,
            }
        )

    def assignment_frame(self) -> pd.DataFrame:
        """One row per participant: ``participant``, ``slot`` (1..k), ``statement``, ``utility``."""
        frame = self.slate.to_frame().rename(columns={"agent": "participant"})
        frame["participant"] = list(self.opinions.participants)
        frame["slot"] = frame["slot"] + 1
        return frame

    def violation_records(self) -> list[dict[str, Any]]:
        """The BJR violations with pool statement ids and coalitions as participant ids."""
        who = self.opinions.participants
        return [
            {
                "statement_id": self.pool.ids[v.statement],
                "statement": self.pool.statements[v.statement],
                "threshold": v.threshold,
                "size": v.size,
                "coalition": [who[i] for i in v.coalition],
            }
            for v in self.violations
        ]

    def audit(self) -> dict[str, Any]:
        """The audit as plain data (``audit.json``)."""
        table = self.comparison.reset_index()
        return {
            "k": self.k,
            "n": len(self.opinions),
            "pool_size": len(self.pool),
            "pool": self.pool.name,
            "rater": self.rater,
            "generator": self.generator,
            "seed": self.seed,
            "question": self.question,
            "bjr_violations": self.violation_records(),
            "comparison": json.loads(table.to_json(orient="records")),
        }

    def to_dict(self) -> dict[str, Any]:
        """Audit, slate and assignment as plain data (the ``--format json`` output)."""
        return {
            **self.audit(),
            "slate": json.loads(self.slate_frame().to_json(orient="records")),
            "assignment": json.loads(self.assignment_frame().to_json(orient="records")),
        }

    def write(self, folder: str | os.PathLike[str]) -> list[Path]:
        """Write ``slate.csv``, ``assignment.csv`` and ``audit.json`` into ``folder``."""
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        paths = [out / "slate.csv", out / "assignment.csv", out / "audit.json"]
        self.slate_frame().to_csv(paths[0], index=False)
        self.assignment_frame().to_csv(paths[1], index=False)
        paths[2].write_text(json.dumps(self.audit(), indent=2, ensure_ascii=False) + "\n")
        return paths


def _rate_pool(rater: Any, n: int, pool: Pool, batch: int, progress: ProgressFn) -> np.ndarray:
    agents = list(range(n))
    parts = []
    for start in range(0, len(pool), batch):
        chunk = list(pool.statements[start : start + batch])
        parts.append(np.asarray(rater.rate(agents, chunk), dtype=np.float64))
        done = min(start + batch, len(pool))
        progress(done / len(pool), f"rating statements {done}/{len(pool)}")
    return np.hstack(parts)


def _embed(embedder: Any, texts: Sequence[str], progress: Callable[[float], Any]) -> np.ndarray:
    """``embedder.encode(texts)`` as floats, reporting progress when the embedder can."""
    try:
        takes_progress = "progress" in inspect.signature(embedder.encode).parameters
    except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
        takes_progress = False
    if takes_progress:
        vectors = embedder.encode(list(texts), progress=lambda done, total: progress(done / total))
    else:
        vectors = embedder.encode(list(texts))
    return np.asarray(vectors, dtype=np.float64)


def _baselines(
    pool: Pool, U: np.ndarray, k: int, embeddings: np.ndarray, seed: int, report: ProgressFn
) -> dict[str, gen.Slate]:
    """:func:`socialchoice.generative.baseline_slates`, one baseline at a time (progress)."""
    names = ["top_mean", *gen.BASELINE_RULES, "kmeans"]
    out: dict[str, gen.Slate] = {}
    for i, name in enumerate(names):
        report(i / len(names), f"baseline {name}")
        if name == "top_mean":
            out[name] = gen.top_mean_slate(pool.statements, U, k)
        elif name == "kmeans":
            out[name] = gen.kmeans_slate(pool.statements, U, embeddings, k, rng=seed)
        else:
            out[name] = gen.committee_slate(pool.statements, U, k, rule=name)
    return out


def build_slate(
    opinions: Opinions,
    k: int,
    *,
    pool: Pool | None = None,
    rater: str = "embedding",
    generator: str = "pool",
    question: str | None = None,
    seed: int = 0,
    embedder: Any = None,
    chat_model: Any = None,
    progress: ProgressFn | None = None,
) -> SlateRun:
    """Rate the pool, build the slate, audit it for BJR and compare it with the baselines.

    Parameters
    ----------
    opinions : Opinions
        The participants (agents ``0..n-1`` in this order) and their opinions.
    k : int
        Slate size, in ``[1, n]``.
    pool : Pool, optional
        Candidate statements; default: the distinct opinions themselves.
    rater : {"embedding", "llm"}
        :class:`~socialchoice.generative.EmbeddingRater` or
        :class:`~socialchoice.generative.LLMRater`.
    generator : {"pool", "llm"}
        The exact :class:`~socialchoice.generative.PoolGenerator` over the rated pool, or
        :class:`~socialchoice.generative.LLMGenerator` (writes new statements; the pool
        statements stay candidates).
    question : str, optional
        The question the opinions answer (shown to the language model).
    seed : int
        Seeds the language model's sampling and k-means.
    embedder, chat_model : optional
        Loaded models; default ``lm.load_embedder()`` / ``lm.load_chat_model()``, loaded
        only when needed (the embedder is always needed for the k-means baseline).
    progress : callable, optional
        ``progress(done, what)`` with ``done`` in [0, 1].

    Raises
    ------
    socialchoice.GenerativeError
        ``k`` not in ``[1, n]``, an unknown rater or generator, or a malformed oracle answer.
    lm.LMError
        A model cannot be loaded or an endpoint fails.

    References
    ----------
    .. [1] S. Fish, P. Gölz, D. C. Parkes, A. D. Procaccia, G. Rusak, I. Shapira and
       M. Wüthrich, 'Generative Social Choice', arXiv:2309.01291 (2023).

    Examples
    --------
    A toy embedder that counts "yes" and "no" stands in for a sentence model:

    >>> class Toy:
    ...     def encode(self, texts):
    ...         v = np.array([[t.count("yes") + 0.1, t.count("no") + 0.1] for t in texts])
    ...         return v / np.linalg.norm(v, axis=1, keepdims=True)
    >>> ops = read_opinions(b"opinion\\nyes yes\\nyes\\nno no\\nno\\n")
    >>> run = build_slate(ops, 2, embedder=Toy())
    >>> run.slate_frame()[["slot", "statement", "group_size"]]
       slot statement  group_size
    0     1   yes yes           2
    1     2     no no           2
    >>> run.violations, list(run.comparison.index)[:2]
    ([], ['generative', 'top_mean'])
    """
    n = len(opinions)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= n:
        raise sc.GenerativeError(
            f"The slate size k must be an int in [1, {n}] (the number of participants in "
            f"{opinions.name}). Got {k!r} instead."
        )
    if rater not in set(RaterChoice) or generator not in set(GeneratorChoice):
        raise sc.GenerativeError(
            f"rater must be one of {[r.value for r in RaterChoice]} and generator one of "
            f"{[g.value for g in GeneratorChoice]}. Got {rater!r} and {generator!r} instead."
        )
    report: ProgressFn = progress or (lambda done, what: None)
    pool = pool if pool is not None else pool_from_opinions(opinions)
    # shares of the progress bar: rating ends at `rated`, the rounds at `built`
    rated, built = (0.6, 0.7) if generator == "pool" else (0.35, 0.9)
    import lm

    report(0.0, "loading the embedder")
    embedder = embedder if embedder is not None else lm.load_embedder()
    embeddings = _embed(
        embedder, opinions.texts, lambda done: report(0.15 * done, "embedding the opinions")
    )
    if rater == "llm" or generator == "llm":
        report(0.15, "loading the language model")
        chat_model = chat_model if chat_model is not None else lm.load_chat_model()
    if rater == "embedding":
        oracle: Any = gen.EmbeddingRater(embedder, list(opinions.texts))
    else:
        oracle = gen.LLMRater(chat_model, list(opinions.texts), question=question)
    U = _rate_pool(
        oracle,
        n,
        pool,
        batch=32 if rater == "embedding" else 1,
        progress=lambda done, what: report(0.15 + (rated - 0.15) * done, what),
    )
    pool_oracle = gen.PoolGenerator(pool.statements, U, scale=oracle.scale)

    def rounds(done: int, total: int) -> None:
        report(rated + (built - rated) * done / total, f"round {done}/{total}")

    report(rated, f"round 0/{k}")
    if generator == "pool":
        slate = gen.generate_slate(n, k, pool_oracle, pool_oracle, rng=seed, progress=rounds)
    else:
        writer = gen.LLMGenerator(
            chat_model, list(opinions.texts), oracle, question=question, pool=pool.statements
        )
        slate = gen.generate_slate(n, k, oracle, writer, rng=seed, progress=rounds)
    baselines: dict[str, gen.Slate] = {}
    if k <= len(pool):
        baselines = _baselines(
            pool,
            U,
            k,
            embeddings,
            seed,
            lambda done, what: report(built + (1 - built) * done, what),
        )
    comparison = gen.compare_slates(U, {"generative": slate, **baselines}, k, scale=oracle.scale)
    violations = gen.bjr_violations(U, slate.utilities, k)
    report(1.0, "done")
    return SlateRun(
        opinions=opinions,
        pool=pool,
        k=int(k),
        rater=str(rater),
        generator=str(generator),
        seed=seed,
        question=question,
        pool_utilities=U,
        slate=slate,
        baselines=baselines,
        violations=violations,
        comparison=comparison,
    )


def _print_run(run: SlateRun, written: list[Path]) -> None:
    con = stdout()
    con.print(
        Text.assemble(
            ("Slate: ", "bold"),
            f"k = {run.k} for {len(run.opinions)} participants; {len(run.pool)} candidate "
            f"statements from {run.pool.name}; rater {run.rater}, generator {run.generator}",
        )
    )
    t = Table(title="Slate", box=box.SIMPLE_HEAD, pad_edge=False)
    t.add_column("slot", justify="right")
    t.add_column("statement", ratio=1)
    t.add_column("group", justify="right")
    t.add_column("mean rating", justify="right")
    for row in run.slate_frame().itertuples(index=False):
        t.add_row(
            str(row.slot), Text(row.statement), str(row.group_size), f"{row.mean_utility:.2f}"
        )
    con.print(t)
    if not run.violations:
        con.print(Text("No BJR violation against the pool.", style="green"))
    else:
        v = Table(title="BJR violations against the pool", box=box.SIMPLE_HEAD, pad_edge=False)
        v.add_column("statement", ratio=1)
        v.add_column("threshold", justify="right")
        v.add_column("coalition", ratio=1)
        for r in run.violation_records():
            v.add_row(
                Text(f"{r['statement_id']}: {r['statement']}"),
                f"{r['threshold']:.2f}",
                Text(f"{r['size']}: " + ", ".join(r["coalition"])),
            )
        con.print(v)
    c = Table(
        title="Slates compared: BJR violations, matched rating (0–6), share represented",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    c.add_column("slate", no_wrap=True)
    for col in ("BJR", "mean", "min"):
        c.add_column(col, justify="right")
    c.add_column("represented % (" + " · ".join(gen.REPRESENTATION_LEVELS) + ")", ratio=1)
    for name, row in run.comparison.iterrows():
        shares = " · ".join(f"{100 * row[level]:.0f}" for level in gen.REPRESENTATION_LEVELS)
        c.add_row(
            str(name),
            str(int(row["bjr_violations"])),
            f"{row['mean']:.2f}",
            f"{row['min']:.2f}",
            shares,
        )
    con.print(c)
    if not run.baselines:
        con.print(f"No baselines: the pool has fewer than k = {run.k} statements.")
    if written:
        con.print(Text("Wrote " + ", ".join(str(p) for p in written)))


def slate_command(
    opinions: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            metavar="OPINIONS.csv",
            help="CSV with one free-text opinion per participant (columns 'participant', "
            "'opinion' by default).",
        ),
    ],
    k: Annotated[int, typer.Option("-k", "--size", help="Slate size (statements).")] = 5,
    pool: Annotated[
        Path | None,
        typer.Option(
            "--pool",
            exists=True,
            dir_okay=False,
            readable=True,
            metavar="POOL.csv",
            help="CSV of candidate statements (column 'statement'); default: the opinions.",
        ),
    ] = None,
    rater: Annotated[
        RaterChoice,
        typer.Option("--rater", help="Ratings from sentence embeddings or the language model."),
    ] = RaterChoice.embedding,
    generator: Annotated[
        GeneratorChoice,
        typer.Option(
            "--generator",
            help="Pick statements from the pool, or have the language model write them.",
        ),
    ] = GeneratorChoice.pool,
    opinion_column: Annotated[
        str, typer.Option("--opinion-column", help="Column of the opinions.")
    ] = "opinion",
    id_column: Annotated[
        str | None,
        typer.Option(
            "--id-column",
            help="Column of the participant ids (default: 'participant' if present, else 1..n).",
            show_default=False,
        ),
    ] = None,
    statement_column: Annotated[
        str, typer.Option("--statement-column", help="Column of the statements in POOL.csv.")
    ] = "statement",
    question: Annotated[
        str | None,
        typer.Option(
            "--question",
            help="The question the opinions answer, for the language model (default: the "
            "text of question.txt beside OPINIONS.csv, if present).",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of sampling and k-means.")] = 0,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            file_okay=False,
            metavar="DIR",
            help="Write slate.csv, assignment.csv and audit.json into DIR.",
        ),
    ] = None,
    fmt: Annotated[
        OutputFormat, typer.Option("--format", help="Output as rich tables or as JSON.")
    ] = OutputFormat.table,
) -> None:
    """Build a proportional slate of K statements from the free-text opinions in OPINIONS.csv."""
    import lm

    try:
        ops = read_opinions(opinions, opinion_column=opinion_column, id_column=id_column)
        candidates = read_pool(pool, statement_column=statement_column) if pool else None
    except sc.GenerativeError as exc:
        fail(str(exc), code=2)
    if not 1 <= k <= len(ops):
        fail(
            f"-k must be in [1, {len(ops)}] (the number of participants in {ops.name}). "
            f"Got {k} instead.",
            code=2,
        )
    if question is None and (opinions.parent / "question.txt").is_file():
        question = (opinions.parent / "question.txt").read_text(encoding="utf-8").strip() or None
    try:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            console=stderr(),
            transient=True,
            disable=fmt is OutputFormat.json,
        ) as bar:
            task = bar.add_task("starting", total=1.0)

            def progress(done: float, what: str) -> None:
                bar.update(task, completed=done, description=what)

            run = build_slate(
                ops,
                k,
                pool=candidates,
                rater=rater.value,
                generator=generator.value,
                question=question,
                seed=seed,
                progress=progress,
            )
    except (sc.SocialChoiceError, lm.LMError) as exc:
        fail(str(exc))
    written = run.write(out) if out is not None else []
    if fmt is OutputFormat.json:
        typer.echo(json.dumps(run.to_dict(), indent=2, ensure_ascii=False, default=_json_default))
        return
    _print_run(run, written)


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
