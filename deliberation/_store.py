"""The service layer of the deliberation app: every read and write the pages make.

Pages call :class:`Store` and nothing else (no SQL, no domain maths in pages). Each call is
one database transaction. A participant is named by their token only; a token of another
deliberation, or an id that belongs to another deliberation, is refused with
:class:`~deliberation.AccessError` or :class:`~deliberation.AnswerError` and nothing is
written.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from . import _analysis, _answers, _editing, _exchange, _importer, _monitoring, _selection
from . import _participant as _extras
from ._db import migrate, open_engine
from ._errors import AccessError, AnswerError, ClosedError, ImportDataError
from ._limits import LIMITS, Limits, check_rate, clean_text
from ._monitoring import Monitoring
from ._records import ContextInfo, DeliberationInfo, ParticipantInfo, Progress
from ._schema import (
    Context,
    Deliberation,
    Participant,
    Statement,
    StepCompletion,
    utcnow,
)
from ._setup import demographic_features, new_deliberation_rows
from ._upsert import upsert

__all__ = ["DEFAULT_URL", "Store"]

#: Where ``Store()`` keeps its data without ``DATABASE_URL``: a SQLite file under data/.
DEFAULT_URL = "sqlite:///data/collective.db"
#: Bits of randomness in a participant token (URL-safe base64 of 32 bytes).
TOKEN_BYTES = 32


class Store:
    """The deliberation database and every operation on it.

    Parameters
    ----------
    url : str, optional
        A SQLAlchemy URL: ``sqlite:///path.db`` (WAL, foreign keys on) or
        ``postgresql+psycopg://user@host:port/db``. Default: ``DATABASE_URL`` from the
        environment, else :data:`DEFAULT_URL`. The schema is created or migrated (Alembic)
        when the store opens.
    limits : Limits
        Text lengths, chat caps and write-rate limits (:class:`deliberation.Limits`).
    clock : callable
        Seconds since the epoch; tests pass a fake clock to exercise the rate limit.

    Examples
    --------
    >>> from deliberation import Store
    >>> store = Store("sqlite://")  # in memory
    >>> d = store.create_deliberation(
    ...     "How should the assistant answer a user in a hard personal decision?",
    ...     contexts=["When the user is in distress"],
    ...     statements=["The assistant should ask before advising."])
    >>> token = store.join(d.id, features={})
    >>> store.progress(token).step
    'consent'
    >>> store.consent(token, d.consent_version)
    >>> store.progress(token).step
    'chat'
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        limits: Limits = LIMITS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.url = url or os.environ.get("DATABASE_URL") or DEFAULT_URL
        self.limits = limits
        self._clock = clock
        self._engine = open_engine(self.url)
        migrate(self._engine)
        memory = self._engine.url.get_backend_name() == "sqlite" and self._engine.url.database in (
            None, "", ":memory:"
        )
        # SQLite readers get their own engine so they never take the write lock.
        self._read_engine = (
            self._engine
            if memory or self._engine.url.get_backend_name() != "sqlite"
            else open_engine(self.url, immediate=False)
        )
        self._writer = sessionmaker(self._engine, expire_on_commit=False)
        self._reader = sessionmaker(self._read_engine, expire_on_commit=False)

    def __repr__(self) -> str:
        return f"Store({self._engine.url.render_as_string(hide_password=True)!r})"

    def close(self) -> None:
        """Release the database connections."""
        self._engine.dispose()
        self._read_engine.dispose()

    # -- transactions ---------------------------------------------------------------
    @contextmanager
    def _write(self) -> Iterator[Session]:
        with self._writer() as session, session.begin():
            yield session

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with self._reader() as session, session.begin():
            yield session

    @contextmanager
    def _as_participant(
        self, token: Any, *, rate: bool = True, bump: bool = True
    ) -> Iterator[tuple[Session, Participant]]:
        """A write transaction on behalf of the token's participant, in an open deliberation.

        ``rate`` counts the write against the participant's rate limit; ``bump`` raises the
        deliberation's data version (answers do; storing what was shown does not).
        """
        with self._write() as session:
            # The row is locked until commit: two instances' writes of one participant take
            # turns, so the rate window and the chat caps on the row count every write.
            participant = _participant(session, token, lock=True)
            deliberation = session.get(Deliberation, participant.deliberation_id)
            if not deliberation.is_open:
                raise ClosedError("This deliberation is closed: no new answers are taken.")
            if rate:
                check_rate(participant, self._clock(), self.limits)
            yield session, participant
            if bump:
                _bump(session, participant.deliberation_id)

    # -- deliberations --------------------------------------------------------------
    def create_deliberation(
        self,
        question: str,
        contexts: Sequence[Any] = (),
        statements: Sequence[str] = (),
        prompts: Sequence[Any] = (),
        *,
        title: str | None = None,
        steps: Sequence[str] | None = None,
        consent_text: str | None = None,
        demographics: Sequence[Mapping[str, Any]] = (),
        settings: Mapping[str, Any] | None = None,
    ) -> DeliberationInfo:
        """A new deliberation (open), with its contexts, approved statements and prompts.

        ``contexts`` are texts (the key is the text) or ``(key, text)`` pairs; ``prompts``
        are texts or ``(text, [answer, ...])`` / ``{"text": ..., "answers": [...]}``.
        ``steps`` is a subsequence of :data:`deliberation.STEPS` (default: all); consent
        always comes first and thanks last. ``demographics`` describes the form (see
        :func:`deliberation.demographic_features`).
        """
        with self._write() as session:
            deliberation = new_deliberation_rows(
                session, question, contexts, statements, prompts, title=title, steps=steps,
                consent_text=consent_text, demographics=demographics, settings=settings,
                limits=self.limits,
            )
            return _info(session, deliberation)

    def deliberation(self, deliberation_id: int) -> DeliberationInfo:
        """The deliberation with this id."""
        with self._read() as session:
            return _info(session, _deliberation(session, deliberation_id))

    def deliberations(self) -> list[DeliberationInfo]:
        """Every deliberation, oldest first."""
        with self._read() as session:
            rows = session.scalars(select(Deliberation).order_by(Deliberation.id)).all()
            return [_info(session, row) for row in rows]

    def set_open(self, deliberation_id: int, is_open: bool) -> None:
        """Open or close a deliberation at once (a closed one refuses every answer)."""
        with self._write() as session:
            _deliberation(session, deliberation_id).is_open = bool(is_open)
            _bump(session, deliberation_id)

    def data_version(self, deliberation_id: int) -> int:
        """A number that grows with every write to the deliberation (a cache key)."""
        with self._read() as session:
            return int(_deliberation(session, deliberation_id).data_version)

    # -- participants ---------------------------------------------------------------
    def join(
        self,
        deliberation_id: int,
        features: Mapping[str, Any] | None = None,
        *,
        xid: str | None = None,
    ) -> str:
        """A new participant's token (256 random bits), or the same one again for an ``xid``.

        ``xid`` is an external id (e.g. a Prolific id from ``?xid=…``): joining again with
        it returns the same participant's token. ``features`` are validated against the
        deliberation's demographics form.
        """
        from sqlalchemy.exc import IntegrityError

        if xid is not None:
            xid = clean_text(xid, "xid", 200)
        try:
            with self._write() as session:
                deliberation = _deliberation(session, deliberation_id)
                if not deliberation.is_open:
                    raise ClosedError(
                        "This deliberation is closed: it takes no new participants."
                    )
                token = _token_of(session, deliberation_id, xid)
                if token is not None:
                    return token
                token = secrets.token_urlsafe(TOKEN_BYTES)
                session.add(Participant(
                    deliberation_id=deliberation_id, token=token, xid=xid,
                    features=demographic_features(deliberation.demographics, features or {}),
                ))
                _bump(session, deliberation_id)
                return token
        except IntegrityError:
            # The same xid joined at the same moment through another instance (or tab):
            # the unique (deliberation, xid) kept one row; that participant is this one.
            with self._read() as session:
                token = _token_of(session, deliberation_id, xid)
            if token is None:
                raise
            return token

    def participant(self, token: str) -> ParticipantInfo:
        """The token's participant (AccessError for an unknown token)."""
        with self._read() as session:
            row = _participant(session, token)
            return ParticipantInfo(
                id=row.id, deliberation_id=row.deliberation_id, features=dict(row.features),
                xid=row.xid, consent_version=row.consent_version,
                consented_at=row.consented_at, finished_at=row.finished_at,
            )

    def consent(self, token: str, version: int) -> None:
        """Record that the participant accepted consent text ``version`` (the current one)."""
        with self._as_participant(token) as (session, participant):
            current = session.get(Deliberation, participant.deliberation_id).consent_version
            if version != current:
                raise AnswerError(
                    f"The 'version' field must be the current consent version {current}. "
                    f"Got {version!r} instead."
                )
            participant.consent_version = current
            participant.consented_at = utcnow()
            _complete(session, participant, "consent")

    def set_features(self, token: str, features: Mapping[str, Any]) -> None:
        """The demographics form's answers (validated against the form)."""
        with self._as_participant(token) as (session, participant):
            form = session.get(Deliberation, participant.deliberation_id).demographics
            participant.features = demographic_features(form, features)
            _complete(session, participant, "demographics")

    def complete_step(self, token: str, step: str, *, skipped: bool = False) -> Progress:
        """Mark ``step`` done (or skipped) for the participant; returns their progress."""
        with self._as_participant(token) as (session, participant):
            steps = session.get(Deliberation, participant.deliberation_id).steps
            if step not in steps:
                raise AnswerError(
                    f"The 'step' field must be one of this deliberation's steps {steps}. "
                    f"Got {step!r} instead."
                )
            _complete(session, participant, step, skipped=skipped)
            progress = _progress(session, participant)
            if progress.finished and participant.finished_at is None:
                participant.finished_at = utcnow()
            return progress

    def progress(self, token: str) -> Progress:
        """The participant's next step and the steps behind them."""
        with self._read() as session:
            return _progress(session, _participant(session, token))

    def withdraw(self, token: str) -> None:
        """Delete the participant and everything they wrote (consent withdrawn)."""
        with self._write() as session:
            participant = _participant(session, token)
            deliberation_id = participant.deliberation_id
            session.execute(delete(Participant).where(Participant.id == participant.id))
            _bump(session, deliberation_id)

    # -- answers --------------------------------------------------------------------
    def submit_value_card(
        self, token: str, title: str, description: str, policies: Sequence[str],
        context: str | None = None, *, model: str | None = None,
    ) -> int:
        """Store the participant's value card; returns its id."""
        with self._as_participant(token) as (session, participant):
            return _answers.submit_value_card(
                session, participant, title, description, policies, context,
                model=model, limits=self.limits,
            )

    def adopt_card(self, token: str, card_id: int) -> int:
        """The participant holds an existing card instead of writing a duplicate."""
        with self._as_participant(token) as (session, participant):
            return _answers.adopt_card(session, participant, card_id)

    def submit_wiser_vote(
        self, token: str, from_card: int, to_card: int, context: str, verdict: str,
        reason: str | None = None,
    ) -> int:
        """Is moving from one card to another wiser in ``context``? (a later vote replaces)."""
        with self._as_participant(token) as (session, participant):
            return _answers.submit_wiser_vote(
                session, participant, from_card, to_card, context, verdict, reason,
                limits=self.limits,
            )

    def submit_statement(self, token: str, text: str) -> int:
        """A statement by the participant, pending moderation; returns its id.

        A statement with the same words as one the deliberation holds raises
        :class:`AnswerError` naming it, also when both arrive at the same moment through
        two app instances.
        """
        from sqlalchemy.exc import IntegrityError

        try:
            with self._as_participant(token) as (session, participant):
                return _answers.submit_statement(session, participant, text, limits=self.limits)
        except IntegrityError:
            # The same words committed through another instance after this transaction
            # looked; nothing of this one was written. Once more: it finds the statement.
            with self._as_participant(token) as (session, participant):
                return _answers.submit_statement(session, participant, text, limits=self.limits)

    def submit_statement_vote(self, token: str, statement_id: int, vote: int) -> int:
        """+1 agree, −1 disagree, 0 pass on an approved statement (a later vote replaces)."""
        with self._as_participant(token) as (session, participant):
            return _answers.submit_statement_vote(session, participant, statement_id, vote)

    def submit_ranking(
        self, token: str, prompt_id: int, answer_ids_best_first: Sequence[int]
    ) -> int:
        """The participant's order of a prompt's answers, best first."""
        with self._as_participant(token) as (session, participant):
            return _answers.submit_ranking(session, participant, prompt_id, answer_ids_best_first)

    def submit_svo(self, token: str, choices: Mapping[int, int] | Sequence[int]) -> list[int]:
        """SVO slider choices (option 0–8 per item, items from 1)."""
        import svo

        with self._as_participant(token) as (session, participant):
            return _answers.submit_svo(
                session, participant, choices, n_items=svo.N_ITEMS, n_options=svo.N_OPTIONS
            )

    def add_message(
        self, token: str, role: str, content: str, *, model: str | None = None,
        prompt_version: str | None = None,
    ) -> int:
        """One chat turn; model turns carry the model and prompt that produced them."""
        with self._as_participant(token) as (session, participant):
            return _answers.add_message(
                session, participant, role, content, model=model,
                prompt_version=prompt_version, limits=self.limits,
            )

    def answer_survey(self, token: str, question: str, answer: str) -> int:
        """A closing-survey answer (a later answer replaces the earlier one)."""
        with self._as_participant(token) as (session, participant):
            return _answers.answer_survey(
                session, participant, question, answer, limits=self.limits
            )

    # -- what the participant is shown ----------------------------------------------
    def next_pairs(
        self, token: str, context: str, n: int = 3, *, rng: Any = None
    ) -> list[tuple[int, int]]:
        """Up to ``n`` (from card, to card) "is this wiser?" questions for ``context``.

        Chosen by :func:`moralgraph.suggest_pairs` where the graph is least certain, never a
        pair the participant judged or one of their own cards as "from"; the draw is stored
        (a reload shows the same pairs until they are answered) and logged as shown.
        """
        import numpy as np

        generator = np.random.default_rng(rng)
        graph = self.moral_graph(self.participant(token).deliberation_id)
        with self._as_participant(token, rate=False, bump=False) as (session, participant):
            _answers.context_id(session, participant.deliberation_id, context)
            return _selection.draw_pairs(session, participant, graph, context, n, generator)

    def next_statement(self, token: str, *, rng: Any = None) -> int | None:
        """The next approved statement to vote on (fewest votes first), or None when done."""
        import numpy as np

        with self._as_participant(token, rate=False, bump=False) as (session, participant):
            return _selection.draw_statement(session, participant, np.random.default_rng(rng))

    def ranking_tasks(self, token: str, *, rng: Any = None) -> list[dict[str, Any]]:
        """Each prompt with its answers in this participant's stored random order."""
        import numpy as np

        with self._as_participant(token, rate=False, bump=False) as (session, participant):
            return _selection.ranking_tasks(session, participant, np.random.default_rng(rng))

    def my_answers(self, token: str) -> dict[str, Any]:
        """The participant's own rows of every table (for "my answers" and undo)."""
        with self._read() as session:
            participant = _participant(session, token)
            tables = _exchange.export_tables(session, participant.deliberation_id)
        mine = {}
        for name, table in tables.items():
            if "participant_id" in table.columns:
                mine[name] = table[table["participant_id"] == participant.id].reset_index(
                    drop=True
                )
        return mine

    def cards(self, deliberation_id: int) -> Any:
        """The deliberation's value cards: ``id, title, description, policies, context``."""
        tables = self.export(deliberation_id)
        cards = tables["value_cards"]
        keys = dict(zip(tables["contexts"]["id"], tables["contexts"]["key"], strict=True))
        cards = cards.assign(context=cards["context_id"].map(keys))
        return cards[["id", "title", "description", "policies", "context", "participant_id"]]

    # -- participant extras -----------------------------------------------------------
    # What the participant pages ask beyond single answers (see deliberation/_participant.py).
    def similar_cards(
        self, token: str, title: str, policies: Sequence[str], *, embedder: Any,
        top: int = 3, min_similarity: float = 0.3,
    ) -> list[dict[str, Any]]:
        """Cards of the participant's deliberation most like a draft (embedding search).

        The participant's own cards are left out; each result has ``id, title,
        description, policies, context, model, similarity``, most similar first.
        """
        with self._read() as session:
            participant = _participant(session, token)
            return _extras.similar_cards(
                session, participant, title, list(policies), embedder, top, min_similarity
            )

    def next_wiser_pair(
        self, token: str, *, per_context: int | None = None, rng: Any = None
    ) -> dict[str, Any] | None:
        """The next "is this wiser?" question, or None when the participant is done.

        Goes through the contexts (all of the deliberation's, or with the setting
        ``wiser_contexts="own"`` those of the participant's cards) until ``per_context``
        votes (setting ``wiser_per_context``, default 3) are given in each or no pair is
        left. Returns ``context``, ``context_text``, ``from`` and ``to`` (cards as dicts
        with their policies), ``answered`` and ``total``. The draw is stored (as
        :meth:`next_pairs`).
        """
        info = self.deliberation(self.participant(token).deliberation_id)
        per_context = int(per_context or info.settings.get("wiser_per_context", 3))
        with self._read() as session:
            participant = _participant(session, token)
            contexts = _extras.wiser_contexts(
                session, participant, info.settings.get("wiser_contexts", "all")
            )
            counts = _extras.wiser_counts(session, participant)
        texts = {c.key: c.text for c in info.contexts}
        answered = sum(min(counts.get(c, 0), per_context) for c in contexts)
        for context in contexts:
            if counts.get(context, 0) >= per_context:
                continue
            pairs = self.next_pairs(token, context, per_context - counts[context], rng=rng)
            if pairs:
                with self._read() as session:
                    participant = _participant(session, token)
                    source, target = (_extras.card(session, participant, c)
                                      for c in pairs[0])
                return {"context": context, "context_text": texts[context], "from": source,
                        "to": target, "answered": answered,
                        "total": per_context * len(contexts)}
        return None

    def next_statement_task(self, token: str, *, rng: Any = None) -> dict[str, Any]:
        """:meth:`next_statement` with its text and the participant's count so far:
        ``id`` and ``text`` (None when every approved statement has their vote),
        ``voted`` and ``total``."""
        statement_id = self.next_statement(token, rng=rng)
        with self._read() as session:
            participant = _participant(session, token)
            return _extras.statement_task(session, participant, statement_id)

    def submit_ranks(self, token: str, prompt_id: int, ranks: Mapping[int, int | None]) -> int:
        """:meth:`submit_ranking` from ``{answer_id: place}`` (places 1..k, each once).

        A repeated or missing place raises :class:`AnswerError` saying which, and nothing
        is written.
        """
        return self.submit_ranking(token, prompt_id, _extras.order_from_ranks(dict(ranks)))

    def my_cards(self, token: str) -> list[dict[str, Any]]:
        """The cards the participant wrote or adopted (``id, title, description,
        policies, context, model``)."""
        with self._read() as session:
            return _extras.held_cards(session, _participant(session, token))

    def card_standing(self, token: str, *, method: str = "flow") -> list[dict[str, Any]]:
        """Where each of the participant's cards stands in the moral graph of its context:
        :meth:`my_cards` plus ``rank`` (1 = wisest; None while unscored), ``of`` and
        ``score`` (Γ by ``method``)."""
        graph = self.moral_graph(self.participant(token).deliberation_id)
        return _extras.card_standing(graph, self.my_cards(token), method)

    def svo_result(self, token: str) -> dict[str, Any] | None:
        """The participant's SVO ``angle`` and ``category`` (:func:`svo.score`), None until
        the six primary items are answered."""
        with self._read() as session:
            return _extras.svo_result(session, _participant(session, token))

    def slate_standing(self, token: str, k: int = 5) -> dict[str, Any] | None:
        """How well the current bridging slate of ``k`` statements represents the
        participant (:func:`deliberation._participant.slate_standing`)."""
        with self._read() as session:
            participant = _participant(session, token)
            matrix = _exchange.vote_matrix(session, participant.deliberation_id)
            texts = dict(session.execute(
                select(Statement.id, Statement.text)
                .where(Statement.deliberation_id == participant.deliberation_id)
            ).all())
            person = participant.id
        return _extras.slate_standing(matrix, texts, person, k)

    # -- results --------------------------------------------------------------------
    def moral_graph(self, deliberation_id: int) -> Any:
        """The deliberation's value cards and wiser votes as a :class:`moralgraph.MoralGraph`."""
        with self._read() as session:
            _deliberation(session, deliberation_id)
            return _exchange.moral_graph(session, deliberation_id)

    def vote_matrix(self, deliberation_id: int) -> Any:
        """Participants × approved statements (+1, −1, 0; NaN when not voted), a DataFrame."""
        with self._read() as session:
            _deliberation(session, deliberation_id)
            return _exchange.vote_matrix(session, deliberation_id)

    def preference_data(self, deliberation_id: int) -> Any:
        """The participants' rankings of model answers as :class:`rlchf.PreferenceData`."""
        with self._read() as session:
            _deliberation(session, deliberation_id)
            return _exchange.preference_data(session, deliberation_id)

    def export(self, deliberation_id: int) -> dict[str, Any]:
        """Every table of the deliberation as DataFrames with an ``id`` column.

        Keys: ``deliberation, contexts, participants, statements, prompts, answers`` (with
        ``prompt_id``), ``value_cards, adoptions, wiser_votes, statement_votes, rankings,
        svo_responses, messages, survey_answers, step_completions, exposures``.
        """
        with self._read() as session:
            _deliberation(session, deliberation_id)
            return _exchange.export_tables(session, deliberation_id)

    def export_zip(self, deliberation_id: int, format: str = "json") -> bytes:
        """:meth:`export` as a zip of one file per table (``csv``, ``json`` or ``parquet``)."""
        return _importer.write_export(self.export(deliberation_id), format)

    def import_(self, data: Mapping[str, Any] | bytes | Any) -> DeliberationInfo:
        """A new deliberation from an export (tables, or a zip as path, file or bytes).

        The tables are checked whole first (required tables and columns, unique ids,
        references that resolve, values in their sets); a bad import raises
        :class:`~deliberation.ImportDataError` naming table, row and column, and nothing is
        written. Every id is new; participants get new tokens (old links do not carry over).
        """
        # only an import into an empty database can skip (import_if_empty)
        return cast(DeliberationInfo, self._import(data, only_into_empty=False))

    def import_if_empty(self, data: Mapping[str, Any] | bytes | Any) -> DeliberationInfo | None:
        """:meth:`import_` when the database holds no deliberation yet, else None.

        Atomic across app instances: when several start at once on an empty database,
        exactly one imports (how the demo deliberation is loaded once).

        Examples
        --------
        >>> from deliberation import Store
        >>> source = Store("sqlite://")
        >>> tables = source.export(source.create_deliberation("Q?").id)
        >>> store = Store("sqlite://")
        >>> store.import_if_empty(tables).question
        'Q?'
        >>> store.import_if_empty(tables) is None
        True
        """
        return self._import(data, only_into_empty=True)

    def _import(
        self, data: Mapping[str, Any] | bytes | Any, *, only_into_empty: bool
    ) -> DeliberationInfo | None:
        from sqlalchemy.exc import IntegrityError

        tables = data if isinstance(data, Mapping) else _importer.read_export(data)
        checked = _importer.check_import(tables)
        try:
            with self._write() as session:
                if only_into_empty:
                    _lock_imports(session)
                    if session.scalar(select(Deliberation.id).limit(1)) is not None:
                        return None
                new_id = _importer.insert_import(session, checked)
                return _info(session, session.get(Deliberation, new_id))
        except IntegrityError as error:
            reason = str(error.orig).splitlines()[0]
            raise ImportDataError(
                f"The import repeats an answer the database holds once ({reason}); "
                "nothing was written."
            ) from None

    # -- moderation -----------------------------------------------------------------
    def set_statement_status(self, statement_id: int, status: str) -> None:
        """Approve or reject a submitted statement (``"approved"``, ``"rejected"``)."""
        if status not in ("approved", "rejected", "pending"):
            raise AnswerError(
                "The 'status' field must be 'approved', 'rejected' or 'pending'. "
                f"Got {status!r} instead."
            )
        with self._write() as session:
            row = session.get(Statement, statement_id)
            if row is None:
                raise AnswerError(f"There is no statement {statement_id!r}.")
            row.status = status
            _bump(session, row.deliberation_id)

    # -- results (rankings, SVO, opinions) -------------------------------------------
    def prompt_rankings(self, deliberation_id: int) -> list[Any]:
        """Each prompt with its answers and rankings (:class:`deliberation.PromptRankings`)."""
        with self._read() as session:
            _deliberation(session, deliberation_id)
            return _analysis.prompt_rankings(session, deliberation_id)

    def svo_survey(self, deliberation_id: int) -> Any:
        """The SVO answers as a wide table that :func:`svo.read_survey` reads back."""
        with self._read() as session:
            _deliberation(session, deliberation_id)
            return _analysis.svo_survey(session, deliberation_id)

    def conversation(self, deliberation_id: int) -> Any:
        """Statement votes as a :class:`socialchoice.bridging.Conversation` (for bridging)."""
        with self._read() as session:
            _deliberation(session, deliberation_id)
            return _analysis.conversation(session, deliberation_id)

    def opinions(self, deliberation_id: int) -> Any:
        """Participants' chat turns as :class:`socialchoice.generative.Opinions`."""
        with self._read() as session:
            _deliberation(session, deliberation_id)
            return _analysis.opinions(session, deliberation_id)

    # -- monitoring -----------------------------------------------------------------
    def monitoring(self, deliberation_id: int) -> Monitoring:
        """The step funnel, time per step and demographics against the quotas.

        See :class:`deliberation.Monitoring`.
        """
        with self._read() as session:
            _deliberation(session, deliberation_id)
            return _monitoring.monitoring(session, deliberation_id)

    def set_quotas(self, deliberation_id: int, quotas: Mapping[str, Any]) -> None:
        """Target counts per demographics value, ``{field: {value: count}}`` (replaces)."""
        with self._write() as session:
            row = _deliberation(session, deliberation_id)
            checked = _monitoring.check_quotas(row.demographics, quotas)
            row.settings = {**(row.settings or {}), "quotas": checked}
            _bump(session, deliberation_id)

    # -- admin ----------------------------------------------------------------------
    # The admin page checks the admin token (deliberation.check_admin) before any of these.
    def update_deliberation(self, deliberation_id: int, **changes: Any) -> DeliberationInfo:
        """Change ``title, question, contexts, steps, demographics, consent_text, settings``.

        Contexts are matched by key (kept ones take the new text; a context with wiser
        votes cannot be dropped); a new consent text raises the consent version, so
        participants who accepted the old one can be told apart; ``settings`` are merged.
        """
        with self._write() as session:
            row = _deliberation(session, deliberation_id)
            _editing.update_deliberation(session, row, changes, limits=self.limits)
            session.flush()
            _bump(session, deliberation_id)
            return _info(session, row)

    def add_statements(self, deliberation_id: int, texts: Sequence[str]) -> list[int]:
        """Approved statements written by the admin; returns their ids."""
        with self._write() as session:
            _deliberation(session, deliberation_id)
            ids = _editing.add_statements(session, deliberation_id, texts, limits=self.limits)
            _bump(session, deliberation_id)
            return ids

    def add_prompt(self, deliberation_id: int, text: str, answers: Sequence[Any]) -> int:
        """A prompt and its answers (texts, or ``{"text", "model"}``); returns its id."""
        with self._write() as session:
            _deliberation(session, deliberation_id)
            prompt_id = _editing.add_prompt(session, deliberation_id, text, answers)
            _bump(session, deliberation_id)
            return prompt_id

    def statements(self, deliberation_id: int, status: str | None = None) -> Any:
        """The statements (``id, text, status, participant_id, created_at``), by status."""
        with self._read() as session:
            _deliberation(session, deliberation_id)
            return _editing.statements_table(session, deliberation_id, status)

    def pending_statements(self, deliberation_id: int) -> Any:
        """The participants' statements waiting for moderation (oldest first)."""
        return self.statements(deliberation_id, "pending")

    def delete_participant(self, deliberation_id: int, participant_id: int) -> None:
        """Delete one participant's data on request (as withdrawing does), by their id."""
        with self._write() as session:
            _deliberation(session, deliberation_id)
            _editing.delete_participant(session, deliberation_id, participant_id)
            _bump(session, deliberation_id)


def _participant(session: Session, token: Any, *, lock: bool = False) -> Participant:
    """The token's participant; ``lock`` holds its row until the transaction ends
    (``FOR NO KEY UPDATE`` on PostgreSQL; SQLite's writers take turns anyway)."""
    row = None
    if isinstance(token, str) and 0 < len(token) <= 64:
        query = select(Participant).where(Participant.token == token)
        if lock:
            query = query.with_for_update(key_share=True)
        row = session.scalar(query)
    if row is None:
        raise AccessError("This link is not valid: no participant has this token.")
    return row


def _token_of(session: Session, deliberation_id: int, xid: str | None) -> str | None:
    """The token of the deliberation's participant with external id ``xid``, if any."""
    if xid is None:
        return None
    token = session.scalar(
        select(Participant.token).where(
            Participant.deliberation_id == deliberation_id, Participant.xid == xid
        )
    )
    return None if token is None else str(token)


def _deliberation(session: Session, deliberation_id: Any) -> Deliberation:
    row = session.get(Deliberation, deliberation_id) if isinstance(deliberation_id, int) else None
    if row is None:
        raise AccessError(f"There is no deliberation {deliberation_id!r}.")
    return row


#: Key of the PostgreSQL advisory lock taken by :meth:`Store.import_if_empty`.
_IMPORT_LOCK = 0x636F6C6C


def _lock_imports(session: Session) -> None:
    """Make imports into an empty database take turns until this transaction ends.

    PostgreSQL: a transaction-level advisory lock. SQLite: the write transaction began with
    ``BEGIN IMMEDIATE`` and already holds the database's only write lock.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _IMPORT_LOCK})


def _bump(session: Session, deliberation_id: int) -> None:
    session.execute(
        update(Deliberation)
        .where(Deliberation.id == deliberation_id)
        .values(data_version=Deliberation.data_version + 1)
    )


def _complete(
    session: Session, participant: Participant, step: str, *, skipped: bool = False
) -> None:
    upsert(
        session, StepCompletion,
        {"participant_id": participant.id, "step": step, "skipped": skipped},
        ("participant_id", "step"),
    )


def _progress(session: Session, participant: Participant) -> Progress:
    steps = tuple(session.get(Deliberation, participant.deliberation_id).steps)
    done = set(session.scalars(
        select(StepCompletion.step).where(StepCompletion.participant_id == participant.id)
    ).all())
    following = next((s for s in steps if s not in done and s != "thanks"), "thanks")
    return Progress(step=following, steps=steps, done=tuple(s for s in steps if s in done))


def _info(session: Session, row: Deliberation) -> DeliberationInfo:
    contexts = session.scalars(
        select(Context).where(Context.deliberation_id == row.id).order_by(Context.id)
    ).all()
    return DeliberationInfo(
        id=row.id, title=row.title, question=row.question,
        contexts=tuple(ContextInfo(c.id, c.key, c.text) for c in contexts),
        steps=tuple(row.steps), demographics=tuple(row.demographics),
        consent_text=row.consent_text, consent_version=row.consent_version,
        is_open=row.is_open, settings=dict(row.settings),
    )


