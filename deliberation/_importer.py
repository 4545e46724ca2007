"""Exports as files, and imports that are checked whole before anything is written.

:func:`write_export` packs :meth:`Store.export` tables into a zip (one CSV, JSON or Parquet
file per table; list and mapping cells are JSON text in CSV and Parquet). :func:`read_export`
reads such a zip back. :func:`check_import` checks the tables before
:func:`insert_import` writes them as a new deliberation with new ids, in one transaction:
a bad file is rejected whole, naming the table, row and column, and nothing is written.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from _common.sources import read_bytes

from ._errors import ImportDataError
from ._exchange import EXPORT_TABLES
from ._schema import (
    Adoption,
    Answer,
    Context,
    Deliberation,
    Exposure,
    Message,
    Participant,
    Prompt,
    Ranking,
    Statement,
    StatementVote,
    StepCompletion,
    SurveyAnswer,
    SVOResponse,
    ValueCardRow,
    WiserVoteRow,
)

__all__ = ["FORMATS", "check_import", "insert_import", "read_export", "write_export"]

FORMATS = ("csv", "json", "parquet")
# Cells holding lists or mappings: JSON text in CSV and Parquet files.
JSON_COLUMNS = {"steps", "demographics", "settings", "features", "policies", "answer_ids",
                "payload"}
# table -> (model, columns to copy, {column: table its ids refer to}).
_TABLES: dict[str, tuple[Any, tuple[str, ...], dict[str, str]]] = {
    "deliberation": (Deliberation, ("title", "question", "consent_text", "consent_version",
                                    "steps", "demographics", "settings", "is_open"), {}),
    "contexts": (Context, ("key", "text"), {}),
    "participants": (Participant, ("xid", "features", "consent_version", "consented_at",
                                   "finished_at"), {}),
    "statements": (Statement, ("text", "status"), {"participant_id": "participants"}),
    "prompts": (Prompt, ("text",), {}),
    "answers": (Answer, ("text", "model"), {"prompt_id": "prompts"}),
    "value_cards": (ValueCardRow, ("title", "description", "policies", "model"),
                    {"participant_id": "participants", "context_id": "contexts"}),
    "adoptions": (Adoption, (), {"participant_id": "participants", "card_id": "value_cards"}),
    "wiser_votes": (WiserVoteRow, ("verdict", "reason"), {
        "participant_id": "participants", "from_card_id": "value_cards",
        "to_card_id": "value_cards", "context_id": "contexts"}),
    "statement_votes": (StatementVote, ("vote",), {"participant_id": "participants",
                                                   "statement_id": "statements"}),
    "rankings": (Ranking, ("answer_ids",), {"participant_id": "participants",
                                            "prompt_id": "prompts"}),
    "svo_responses": (SVOResponse, ("item", "choice"), {"participant_id": "participants"}),
    "messages": (Message, ("role", "content", "model", "prompt_version"),
                 {"participant_id": "participants"}),
    "survey_answers": (SurveyAnswer, ("question", "answer"), {"participant_id": "participants"}),
    "step_completions": (StepCompletion, ("step", "skipped"), {"participant_id": "participants"}),
    "exposures": (Exposure, ("kind", "payload"), {"participant_id": "participants"}),
}
_ALLOWED = {
    ("wiser_votes", "verdict"): ("wiser", "not_wiser", "unsure"),
    ("statement_votes", "vote"): (1, -1, 0),
    ("statements", "status"): ("approved", "pending", "rejected"),
    ("messages", "role"): ("user", "assistant"),
}
# Answers the database holds once (its unique constraints), checked before writing.
_UNIQUE = {
    "contexts": ("key",),
    "adoptions": ("participant_id", "card_id"),
    "wiser_votes": ("participant_id", "from_card_id", "to_card_id"),
    "statement_votes": ("participant_id", "statement_id"),
    "rankings": ("participant_id", "prompt_id"),
    "svo_responses": ("participant_id", "item"),
    "survey_answers": ("participant_id", "question"),
    "step_completions": ("participant_id", "step"),
}
_NULLABLE_REFS = {("statements", "participant_id"), ("value_cards", "participant_id"),
                  ("value_cards", "context_id")}
_NULLABLE = {"xid", "consent_version", "consented_at", "finished_at", "model", "reason",
             "prompt_version", "created_at", "completed_at"}
# Timestamps kept from the export when present (ISO text in files), else the import time.
_TIMES = ("created_at", "consented_at", "finished_at", "completed_at")


def write_export(tables: Mapping[str, Any], format: str = "json") -> bytes:
    """The tables as a zip: ``<table>.<format>`` per table (see :data:`FORMATS`)."""
    if format not in FORMATS:
        raise ImportDataError(f"The 'format' must be one of {list(FORMATS)}. Got {format!r}.")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, frame in tables.items():
            archive.writestr(f"{name}.{format}", _table_bytes(frame, format))
    return buffer.getvalue()


def _table_bytes(frame: Any, format: str) -> bytes:
    if format == "json":
        return frame.to_json(orient="records", date_format="iso", force_ascii=False).encode()
    flat = frame.copy()
    for column in JSON_COLUMNS & set(flat.columns):
        flat[column] = [json.dumps(v) for v in flat[column]]
    if format == "csv":
        return flat.to_csv(index=False).encode()
    out = io.BytesIO()
    flat.to_parquet(out, index=False)
    return out.getvalue()


def read_export(source: Any) -> dict[str, Any]:
    """The tables of an export zip (a path, a file object or bytes)."""
    import pandas as pd

    raw, name = read_bytes(source, error=ImportDataError)
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile as error:
        raise ImportDataError(f"{name} is not a zip file of exported tables ({error}).") from None
    tables: dict[str, Any] = {}
    with archive:
        for member in archive.namelist():
            table, _, suffix = member.rpartition(".")
            if table not in _TABLES or suffix not in FORMATS:
                raise ImportDataError(
                    f"{name}: the file {member!r} is not an exported table "
                    f"(expected <table>.csv|json|parquet with a table from {list(_TABLES)})."
                )
            raw = archive.read(member)
            try:
                if suffix == "json":
                    frame = pd.DataFrame(json.loads(raw.decode("utf-8")))
                elif suffix == "csv":
                    frame = pd.read_csv(io.BytesIO(raw), keep_default_na=False, na_values=[""])
                else:
                    frame = pd.read_parquet(io.BytesIO(raw))
                if suffix != "json":
                    for column in JSON_COLUMNS & set(frame.columns):
                        frame[column] = [json.loads(v) for v in frame[column]]
            except (ValueError, TypeError) as error:
                raise ImportDataError(f"{name}: {member} cannot be read ({error}).") from None
            tables[table] = frame
    return tables


def check_import(tables: Mapping[str, Any]) -> dict[str, Any]:
    """The tables checked: required tables and columns, unique ids, references that resolve."""
    import pandas as pd

    missing = [t for t in ("deliberation", "contexts") if t not in tables]
    if missing:
        raise ImportDataError(f"The import has no {missing[0]!r} table (it is required).")
    unknown = sorted(set(tables) - set(_TABLES))
    if unknown:
        raise ImportDataError(f"The import has unknown tables {unknown}; known: {list(_TABLES)}.")
    checked: dict[str, Any] = {}
    for table in EXPORT_TABLES:
        _, columns, refs = _TABLES[table]
        frame = tables.get(table)
        if frame is not None and not isinstance(frame, pd.DataFrame):
            raise ImportDataError(f"The {table!r} table must be a DataFrame.")
        if frame is None or frame.empty:  # an empty JSON table has no columns at all
            frame = pd.DataFrame(columns=["id", *columns, *refs])
        needed = ["id", *columns, *refs]
        absent = [c for c in needed if c not in frame.columns]
        if absent:
            raise ImportDataError(f"The {table!r} table has no {absent[0]!r} column.")
        _check_cells(table, frame, needed)
        checked[table] = frame.reset_index(drop=True)
    if len(checked["deliberation"]) != 1:
        rows = len(checked["deliberation"])
        raise ImportDataError(f"The 'deliberation' table must have exactly one row. Got {rows}.")
    for table, (_, _, refs) in _TABLES.items():
        for column, target in refs.items():
            _check_refs(checked, table, column, target)
    for table, keys in _UNIQUE.items():
        repeated = checked[table].duplicated(list(keys)).to_numpy()
        if repeated.any():
            raise ImportDataError(
                f"Row {int(repeated.argmax())} of the {table!r} table repeats {list(keys)} of "
                "an earlier row: the database holds one answer per key."
            )
    for (table, column), allowed in _ALLOWED.items():
        _check_allowed(checked[table], table, column, allowed)
    answers = set(checked["answers"]["id"].tolist())
    for row, ids in enumerate(checked["rankings"]["answer_ids"].tolist()):
        if not isinstance(ids, list) or not set(ids) <= answers:
            raise ImportDataError(
                f"Row {row} of the 'rankings' table: 'answer_ids' must list ids of the "
                f"'answers' table. Got {ids!r}."
            )
    return checked


def _check_allowed(frame: Any, table: str, column: str, allowed: tuple[Any, ...]) -> None:
    for row, value in enumerate(frame[column].tolist()):
        if value not in allowed:
            raise ImportDataError(
                f"Row {row} of the {table!r} table: {column!r} must be one of "
                f"{list(allowed)}. Got {value!r}."
            )


def _check_cells(table: str, frame: Any, needed: list[str]) -> None:
    ids = frame["id"]
    if ids.isna().any() or ids.duplicated().any():
        row = int((ids.isna() | ids.duplicated()).to_numpy().argmax())
        raise ImportDataError(f"Row {row} of the {table!r} table: 'id' is empty or repeated.")
    for column in needed:
        if column in _NULLABLE or (table, column) in _NULLABLE_REFS:
            continue
        empty = frame[column].isna().to_numpy() if len(frame) else []
        if len(empty) and empty.any():
            raise ImportDataError(
                f"Row {int(empty.argmax())} of the {table!r} table: the {column!r} column is empty."
            )


def _check_refs(tables: Mapping[str, Any], table: str, column: str, target: str) -> None:
    values = tables[table][column]
    known = set(tables[target]["id"].tolist())
    nullable = (table, column) in _NULLABLE_REFS
    for row, value in enumerate(values.tolist()):
        if value is None or (isinstance(value, float) and value != value):
            if nullable:
                continue
        elif value in known:
            continue
        raise ImportDataError(
            f"Row {row} of the {table!r} table: {column!r} = {value!r} is not an id of the "
            f"{target!r} table."
        )


def insert_import(session: Session, tables: Mapping[str, Any]) -> int:
    """Write checked tables as a new deliberation; returns its id. Ids are all new.

    Each table is one multi-row ``INSERT ... RETURNING id`` (ids in row order), so a large
    import takes a few statements rather than a round trip per row.
    """
    from sqlalchemy import insert

    new_ids: dict[str, dict[Any, int]] = {}
    for table in EXPORT_TABLES:
        model = _TABLES[table][0]
        records = tables[table].to_dict("records")
        rows = [_import_row(table, record, tables, new_ids) for record in records]
        new_ids[table] = {}
        if rows:
            columns = model.__table__
            statement = insert(columns).returning(columns.c.id, sort_by_parameter_order=True)
            ids = session.execute(statement, rows).scalars().all()
            new_ids[table] = {
                _cell(record["id"]): int(i) for record, i in zip(records, ids, strict=True)
            }
    return next(iter(new_ids["deliberation"].values()))


def _import_row(
    table: str, record: Mapping[str, Any], tables: Mapping[str, Any],
    new_ids: Mapping[str, Mapping[Any, int]],
) -> dict[str, Any]:
    """The column values of one imported row (the same columns for every row of a table)."""
    import secrets

    from ._limits import fingerprint
    from ._schema import utcnow

    model, columns, refs = _TABLES[table]
    values = {c: _cell(record[c]) for c in columns}
    for c in _TIMES:
        if c in record and hasattr(model, c):
            given = _cell(record[c])
            default = utcnow() if c in ("created_at", "completed_at") else None
            values[c] = default if given is None else _time(given)
    for column, target in refs.items():
        old = _cell(record[column])
        values[column] = None if old is None else new_ids[target][old]
    if table == "deliberation":
        values.update(data_version=0, created_at=utcnow())
    elif table in ("contexts", "participants", "statements", "prompts", "value_cards"):
        values["deliberation_id"] = new_ids["deliberation"][record_id(tables)]
    if table == "participants":
        values["token"] = secrets.token_urlsafe(32)
    if table == "statements":
        values["fingerprint"] = fingerprint(values["text"])
    if table == "rankings":
        values["answer_ids"] = [new_ids["answers"][a] for a in values["answer_ids"]]
    return values


def record_id(tables: Mapping[str, Any]) -> Any:
    """The exported id of the (single) deliberation row."""
    return _cell(tables["deliberation"]["id"].iloc[0])


def _time(value: Any) -> Any:
    import pandas as pd

    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise ImportDataError(f"{value!r} is not a time (expected ISO 8601 text).") from None
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.to_pydatetime()


def _cell(value: Any) -> Any:
    import pandas as pd

    if value is pd.NaT:  # a missing time in a DataFrame column of times
        return None
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        value = value.item()
    if isinstance(value, float) and value != value:
        return None
    return value
