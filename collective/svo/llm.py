"""``collective svo llm``: measure the chat model's SVO with the slider items, per persona.

:func:`svo.llm.resolve_personas` reads the ``--persona`` options and
:func:`svo.llm.evaluate_each` asks the model; the command renders the
:class:`svo.llm.LLMEvaluation` of each persona and its :meth:`~svo.llm.LLMEvaluation.warnings`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

import svo

from .._console import (
    fail,
    format_option,
    fraction_progress,
    path_option,
    seed_option,
    simple_table,
    stderr,
    stdout,
)
from .._output import to_json
from ._common import Decision, ItemSet, LLMFormat

__all__ = ["llm_command"]


def _print_llm(results: list[Any], m: int) -> None:
    con = stdout()
    first = results[0]
    t = simple_table(
        f"SVO of {first.model_id} ({first.samples} samples × {m} items, "
        f"{first.decision}; scoring: {first.method})",
        padding=(0, 1, 0, 0),
    )
    t.add_column("persona", ratio=1, min_width=15, overflow="fold")
    t.add_column(f"angle° [{first.confidence:.0%} CI]", justify="right", no_wrap=True)
    t.add_column("category", no_wrap=True)
    t.add_column("top pos.", justify="right", no_wrap=True)
    t.add_column("bias p", justify="right", no_wrap=True)
    t.add_column("invalid", justify="right", no_wrap=True)
    for r in results:
        angle = (
            "—" if r.angle != r.angle else f"{r.angle:.1f} [{r.angle_low:.1f}, {r.angle_high:.1f}]"
        )
        share = r.top_position_share
        t.add_row(
            Text(r.persona),
            angle,
            str(r.category or "—"),
            "—" if share != share else f"{share:.0%}",
            "—" if r.order_bias_pvalue != r.order_bias_pvalue else f"{r.order_bias_pvalue:.2g}",
            f"{r.n_invalid}/{len(r.choices)}",
        )
    con.print(t)
    con.print(
        Text(
            "top pos.: share of answers at the most chosen letter A–I (options are shuffled, "
            "so about 11% without position bias); bias p: chi-square test of the letters "
            "against uniform.",
            style="dim",
        )
    )
    for r in results:
        notes = r.warnings()
        if notes:
            con.print(Text(f"Note ({r.persona}): {'; '.join(notes)}.", style="yellow"))
    if any(r.order_biased for r in results):
        con.print(
            Text(
                "A model with order bias picks letters rather than allocations: its angle "
                "mostly reflects the random option order, not a social value orientation.",
                style="yellow",
            )
        )


def llm_command(
    persona: Annotated[
        list[str] | None,
        typer.Option(
            "--persona",
            metavar="NAME_OR_TEXT",
            help="A persona name (none, altruistic, prosocial, individualistic, competitive) "
            "or an instruction text; repeat for several. Default: no persona.",
            show_default=False,
        ),
    ] = None,
    all_personas: Annotated[
        bool, typer.Option("--all-personas", help="Evaluate every named persona.")
    ] = False,
    samples: Annotated[
        int,
        typer.Option(
            "--samples", min=1, max=10_000, help="Repetitions of the questionnaire per persona."
        ),
    ] = 10,
    items: Annotated[
        ItemSet, typer.Option("--items", help="The six primary items or all fifteen.")
    ] = ItemSet.primary,
    decision: Annotated[
        Decision,
        typer.Option(
            "--decision",
            help="Take the most likely option letter, or sample from the model's distribution.",
        ),
    ] = Decision.argmax,
    seed: Annotated[int, seed_option("Seed of the option orders, sampling and bootstrap.")] = 0,
    out: Annotated[
        Path | None,
        path_option(
            "--out",
            "RESULTS.json",
            "Write every persona's result (angles, choices, scores) as JSON.",
        ),
    ] = None,
    fmt: Annotated[LLMFormat, format_option("a rich table")] = LLMFormat.table,
) -> None:
    """Measure the chat model's SVO with the slider items, per persona (Zhang et al. 2023).

    The local SmolLM2 by default; LM_BASE_URL (with LM_MODEL, LM_API_KEY) selects an
    OpenAI-compatible endpoint.
    """
    import lm
    from svo.llm import resolve_personas

    try:
        personas = resolve_personas(persona, all_personas)
    except svo.SVOError as exc:  # the library's "Each persona", named as this option
        fail(str(exc).replace("Each persona", "Each --persona", 1), code=2)
    m = svo.N_PRIMARY if items is ItemSet.primary else svo.N_ITEMS
    try:
        with stderr().status("loading the chat model", spinner="dots"):
            chat = lm.load_chat_model()
    except lm.LMError as exc:
        fail(f"could not load the chat model: {exc}", code=2)
    try:
        results = _ask(chat, personas, samples, items.value, decision.value, seed,
                       quiet=fmt is LLMFormat.json)
    except svo.SVOError as exc:
        fail(str(exc), code=2)
    except lm.LMError as exc:
        fail(str(exc))
    document = {
        "model_id": results[0].model_id,
        "samples": samples,
        "items": items.value,
        "decision": decision.value,
        "seed": seed,
        "notes": {r.persona: list(r.warnings()) for r in results},
        "personas": [r.to_dict() for r in results],
    }
    text = to_json(document)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n", encoding="utf-8")
    if fmt is LLMFormat.json:
        typer.echo(text)
        return
    _print_llm(results, m)
    if out is not None:
        stdout().print(Text(f"Wrote {out}"))


def _ask(chat: Any, personas: list[tuple[str, str | None]], samples: int, items: str,
         decision: str, seed: int, *, quiet: bool) -> list[Any]:
    """:func:`svo.llm.evaluate_each` over the personas, with a progress bar over all of them."""
    from svo import llm as svo_llm

    with fraction_progress("asking", disable=quiet) as show:

        def progress(done: int, total: int) -> None:
            per_persona = max(total // len(personas), 1)
            i = min(done // per_persona, len(personas) - 1)
            name = personas[i][0]
            show(done / max(total, 1),
                 f"persona {name[:30]}: {done - i * per_persona}/{per_persona} questions")

        return svo_llm.evaluate_each(
            chat,
            dict(personas),
            samples=samples,
            items=items,
            decision=decision,
            rng=seed,
            progress=progress,
        )
