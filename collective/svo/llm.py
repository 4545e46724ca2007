"""``collective svo llm``: measure the chat model's SVO with the slider items, per persona.

The helpers :func:`resolve_personas` and :func:`llm_notes` are what the command evaluates
and prints; the maths lives in :mod:`svo.llm`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich import box
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

import svo

from .._console import fail, seed_option, stderr, stdout
from .._output import to_json
from ._common import Decision, ItemSet, LLMFormat

__all__ = [
    "ORDER_BIAS_ALPHA",
    "WIDE_INTERVAL",
    "llm_command",
    "llm_notes",
    "resolve_personas",
]

#: An angle interval wider than this (degrees) is reported as too wide to place the model.
WIDE_INTERVAL = 20.0
#: The order-bias test is reported as significant below this p-value.
ORDER_BIAS_ALPHA = 0.05


def resolve_personas(
    names: list[str] | None, all_personas: bool = False
) -> list[tuple[str, str | None]]:
    """The personas ``svo llm`` evaluates, as ``(name, instruction)`` pairs.

    A name of :data:`svo.llm.PERSONAS` (matched ignoring case) stands for its instruction;
    any other text is itself the instruction (and its name). ``all_personas`` puts every
    entry of :data:`svo.llm.PERSONAS` first; repeated personas count once. Without names and
    without ``all_personas`` the model is evaluated once, without a persona (``"none"``).

    Raises
    ------
    svo.SVOError
        A name is empty.

    Examples
    --------
    >>> resolve_personas(None)
    [('none', None)]
    >>> [name for name, _ in resolve_personas(["Altruistic", "Be fair.", "altruistic"])]
    ['altruistic', 'Be fair.']
    >>> resolve_personas(["Be fair."])
    [('Be fair.', 'Be fair.')]
    """
    from svo.llm import PERSONAS

    known = {str(k).casefold(): k for k in PERSONAS}
    chosen: dict[str, str | None] = dict(PERSONAS) if all_personas else {}
    for name in names or []:
        text = name.strip()
        if not text:
            raise svo.SVOError(
                "Each --persona must be a persona name "
                f"({', '.join(PERSONAS)}) or an instruction text. Got {name!r} instead."
            )
        key = known.get(text.casefold())
        if key is not None:
            chosen[key] = PERSONAS[key]
        else:
            chosen.setdefault(text, text)
    if not chosen:
        chosen["none"] = PERSONAS.get("none")
    return list(chosen.items())


def llm_notes(result: Any) -> list[str]:
    """Plain warnings about one :class:`svo.llm.LLMEvaluation`, worded for the report.

    A note says when the model picks letters rather than allocations (the order-bias test is
    significant at :data:`ORDER_BIAS_ALPHA`), when the angle's interval is wider than
    :data:`WIDE_INTERVAL` degrees or straddles a category boundary, when a single sample
    gives no interval at all, and when there is no angle because answers were invalid.

    References
    ----------
    Zhang, Y. et al. (2023). Heterogeneous value alignment evaluation for large language
    models. arXiv:2305.17147, §3 (repeated runs averaged to an angle).

    Examples
    --------
    >>> from svo.llm import SimulatedRespondent, evaluate
    >>> llm_notes(evaluate(SimulatedRespondent("prosocial"), samples=3, rng=0))
    []
    >>> llm_notes(evaluate(SimulatedRespondent("first"), samples=3, rng=0))[0]
    'order bias: letter A in 100% of the answers (11% if unbiased, p = 3.5e-27)'
    """
    notes = []
    p = result.order_bias_pvalue
    if p == p and p < ORDER_BIAS_ALPHA:
        counts = np.asarray(result.position_counts)
        from svo.llm import LETTERS

        top = LETTERS[int(np.argmax(counts))]
        notes.append(
            f"order bias: letter {top} in {result.top_position_share:.0%} of the answers "
            f"(11% if unbiased, p = {p:.2g})"
        )
    low, high, angle = result.angle_low, result.angle_high, result.angle
    if angle != angle:
        notes.append(
            f"no angle: some primary item had no valid answer ({result.n_invalid} invalid)"
        )
    elif result.samples < 2:
        notes.append("one sample gives no interval (use --samples 10 or more)")
    elif low == low and high == high:
        crosses = len({str(c) for c in svo.categorize([low, high])}) > 1
        if high - low > WIDE_INTERVAL or crosses:
            notes.append(
                f"wide interval [{low:.1f}°, {high:.1f}°]"
                + (" across a category boundary" if crosses else "")
                + f" with {result.samples} samples"
            )
    return notes


def _print_llm(results: list[Any], m: int) -> None:
    con = stdout()
    first = results[0]
    t = Table(
        title=f"SVO of {first.model_id} ({first.samples} samples × {m} items, "
        f"{first.decision}; scoring: {first.method})",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
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
    biased = False
    for r in results:
        notes = llm_notes(r)
        biased = biased or any(n.startswith("order bias") for n in notes)
        if notes:
            con.print(Text(f"Note ({r.persona}): {'; '.join(notes)}.", style="yellow"))
    if biased:
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
        typer.Option(
            "--out",
            dir_okay=False,
            metavar="RESULTS.json",
            help="Write every persona's result (angles, choices, scores) as JSON.",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        LLMFormat, typer.Option("--format", help="Output as a rich table or as JSON.")
    ] = LLMFormat.table,
) -> None:
    """Measure the chat model's SVO with the slider items, per persona (Zhang et al. 2023).

    The local SmolLM2 by default; LM_BASE_URL (with LM_MODEL, LM_API_KEY) selects an
    OpenAI-compatible endpoint.
    """
    import lm
    from svo import llm as svo_llm

    try:
        personas = resolve_personas(persona, all_personas)
    except svo.SVOError as exc:
        fail(str(exc), code=2)
    m = svo.N_PRIMARY if items is ItemSet.primary else svo.N_ITEMS
    per = samples * m
    results = []
    try:
        with stderr().status("loading the chat model", spinner="dots"):
            chat = lm.load_chat_model()
    except lm.LMError as exc:
        fail(f"could not load the chat model: {exc}", code=2)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=stderr(),
        transient=True,
        disable=fmt is LLMFormat.json,
    ) as bar:
        task = bar.add_task("asking", total=per * len(personas))
        try:
            for i, (name, instruction) in enumerate(personas):
                bar.update(task, description=f"persona {name[:30]}")

                def progress(done: int, total: int, offset: int = i * per) -> None:
                    bar.update(task, completed=offset + done * per / max(total, 1))

                results.append(
                    svo_llm.evaluate(
                        chat,
                        name,
                        instruction=None if name in svo_llm.PERSONAS else instruction,
                        samples=samples,
                        items=items.value,
                        decision=decision.value,
                        rng=seed,
                        progress=progress,
                    )
                )
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
        "notes": {r.persona: llm_notes(r) for r in results},
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
