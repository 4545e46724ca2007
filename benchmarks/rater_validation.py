"""Raters validated against real people: predict hidden Polis votes from the other votes.

On each shipped Polis conversation, 10% of every participant's agree/disagree votes are hidden
(seed 0; participants keep at least 5 visible); the embedding rater predicts all of them, the
LLM rater a random subsample (each rating costs two forward passes of the chat model). Both
are scored next to the majority-vote baseline on the same votes. A second section
(:func:`cf_rater_validation`, no language model: ``python benchmarks/rater_validation.py
--cf-only``) does the same for the collaborative-filtering rater ``VoteRater`` and holds out
whole statements to test its side information.

Run on its own (``python benchmarks/rater_validation.py``, the same as
``python benchmarks/run.py --only raters``) it replaces its section of benchmarks/RESULTS.md
(and the README's copy); ``benchmarks/run.py`` includes it in the full report.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np
from _timing import stderr_progress

import socialchoice as sc
from socialchoice.bridging import shipped_conversations
from socialchoice.generative import VoteRater
from socialchoice.generative._validation import (
    BinaryMetrics,
    RaterValidation,
    binary_metrics,
    fit_authored_calibration,
    validate_rater,
)

TITLE = "### Raters validated against real Polis votes"
CF_TITLE = "### Collaborative-filtering rater validated against real Polis votes"


#: The head of the metrics tables, whose rows :func:`_row` writes.
_HEAD = [
    "| conversation | rater | hidden votes | accuracy | balanced accuracy | Brier | log loss "
    "| ECE | AUC |",
    "|---|---|---:|---:|---:|---:|---:|---:|---:|",
]


def _row(name: str, rater: str, n: int, m) -> str:
    return (
        f"| {name} | {rater} | {n} | {m.accuracy:.3f} | {m.balanced_accuracy:.3f} "
        f"| {m.brier:.3f} | {m.log_loss:.3f} | {m.ece:.3f} | "
        f"{'—' if m.auc != m.auc else f'{m.auc:.3f}'} |"
    )


def _verdict(res: RaterValidation) -> str:
    major = res.baselines["majority"]
    gap = res.accuracy - major.accuracy
    side = "above" if gap > 0.005 else "below" if gap < -0.005 else "level with"
    return (
        f"{res.conversation}: {res.accuracy:.1%} accuracy ({side} the majority baseline's "
        f"{major.accuracy:.1%}), AUC {res.auc:.2f} vs {major.auc:.2f}"
    )


def _interpretation(emb_res: list[RaterValidation], llm_res: list[RaterValidation]) -> str:
    """Sentences whose claims are checked against the numbers they describe."""
    out = []
    if all(r.auc < r.baselines["majority"].auc for r in emb_res):
        out.append(
            'Sentence embeddings measure topic more than stance ("I voted to Leave" and '
            '"I voted to Remain" are close), so a participant\'s agreed-minus-disagreed '
            "direction ranks new statements worse than the statements' own popularity does."
        )
    width = max(r.prediction_range[1] - r.prediction_range[0] for r in llm_res)
    if width < 0.2:
        out.append(
            f"SmolLM2-135M's expected rating stays near the middle of the scale (P(agree) "
            f"spans at most {width:.3f}): averaging both scale orders cancels its preference "
            "for a digit position and little else is left, so its accuracy and Brier score "
            "are those of a coin"
            + (
                f", and its AUC (at most {max(r.auc for r in llm_res):.2f}) shows no ranking "
                "signal either."
                if all(r.auc < 0.55 for r in llm_res)
                else "; whatever ordering it has shows only in the AUC."
            )
        )
    wins = [
        f"{r.rater} on {r.conversation}"
        for r in emb_res + llm_res
        if r.accuracy > r.baselines["majority"].accuracy
    ]
    if not wins:
        out.append(
            "Neither small-model rater predicts real votes better than knowing which "
            "statements most people agree with: read slates built with them on real opinions "
            "as illustrations of the algorithm, and put a larger model behind `LM_BASE_URL` "
            "(same code) for substantive use."
        )
    else:
        n = min(r.n_hidden for r in llm_res)
        out.append(
            f"Accuracy above the majority baseline: {', '.join(wins)}; with {n} votes the "
            f"95% interval of an accuracy is about ±{196 * (0.25 / n) ** 0.5:.0f} points, so "
            "read small margins as ties."
        )
    return " ".join(out)


def rater_validation(
    quick: bool = False, *, seed: int = 0, fraction: float = 0.1, llm_votes: int = 300
) -> list[str]:
    """Run the validation on both shipped conversations and return the RESULTS.md section."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import lm

    llm_votes = 20 if quick else llm_votes
    t0 = time.perf_counter()
    embedder = lm.load_embedder()
    t_emb = time.perf_counter() - t0
    t0 = time.perf_counter()
    chat = lm.load_chat_model()
    t_chat = time.perf_counter() - t0
    conversations = [sc.read_polis(f) for f in shipped_conversations().values()]
    results: list[RaterValidation] = []
    for conv in conversations:
        sys.stderr.write(f"{conv.name}\n")
        results.append(
            validate_rater(conv, "embedding", fraction=fraction, rng=seed, embedder=embedder)
        )
        results.append(
            validate_rater(
                conv,
                "llm",
                fraction=fraction,
                rng=seed,
                chat_model=chat,
                max_hidden=llm_votes,
                progress=stderr_progress("llm"),
            )
        )
    authored = fit_authored_calibration(conversations, embedder)

    lines = [
        TITLE,
        "",
        f"{fraction:.0%} of each participant's agree/disagree votes hidden (seed {seed}; "
        "participants with more than 5 such votes, at least 5 stay visible; moderated-out "
        "statements dropped). A participant is represented by the visible votes and the "
        "statements they wrote: for `EmbeddingRater` the unit vector mean(agreed) − "
        "mean(disagreed) of all-MiniLM-L6-v2 statement embeddings, calibrated with a logistic "
        "fit on a second split of the training votes only; for `LLMRater` (SmolLM2-135M, "
        "both scale orders, asked about the conversation's topic) a text of up to 4 agreed and "
        "4 disagreed statements. P(agree) = rating / 6, label P ≥ 0.5. The embedding rater "
        f"predicts every hidden vote, the LLM rater a random subsample of at most {llm_votes} "
        "per conversation (all of them where fewer were hidden); each baseline is scored on "
        "the same votes as the rater above it: "
        "*majority* = the statement's majority among the training votes (P = add-one smoothed "
        "agree share), *overall* = the global training agree share. Passes are not targets. "
        "ECE: 10 equal-width bins.",
        "",
        *_HEAD,
    ]
    for res in results:
        lines.append(_row(res.conversation, f"**{res.rater}**", res.n_hidden, res.metrics))
        for name, m in res.baselines.items():
            lines.append(_row(res.conversation, name, m.n, m))
    lines += [
        "",
        "| conversation | ± votes | passes (not targets) | hidden | participants "
        "with hidden votes | embedding (a, b) | embedding P range | LLM P range "
        "| embedding s | LLM s |",
        "|---|---:|---:|---:|---:|---|---|---|---:|---:|",
    ]
    for emb, llm in zip(results[::2], results[1::2], strict=True):
        a_e, b_e = emb.calibration
        lines.append(
            f"| {emb.conversation} | {emb.n_votes} | {emb.n_passes} | {emb.n_hidden_total} "
            f"| {emb.n_participants} | ({a_e:.2f}, {b_e:.2f}) "
            f"| {emb.prediction_range[0]:.2f}–{emb.prediction_range[1]:.2f} "
            f"| {llm.prediction_range[0]:.3f}–{llm.prediction_range[1]:.3f} "
            f"| {emb.seconds:.2f} | {llm.seconds:.0f} |"
        )
    per_llm = [r.seconds / (2 * r.n_hidden) for r in results[1::2]]
    emb_res, llm_res = results[::2], results[1::2]
    lines += [
        "",
        f"Model loading: embedder {t_emb:.1f} s, chat model {t_chat:.1f} s; LLM time per "
        f"forward pass {min(per_llm):.2f}–{max(per_llm):.2f} s on this shared 2-core machine "
        "(0 s for calls already in the on-disk cache). Free-text setting "
        "(`fit_authored_calibration`: the cosine between a statement a participant wrote and "
        f"another they voted on, {authored.n_pairs} pairs from both conversations): fitted "
        f"(a, b) = ({authored.a:.2f}, {authored.b:.2f}), AUC of the cosine alone "
        f"{authored.auc:.3f}.",
        "",
        "**What this shows.** Embedding rater — "
        + "; ".join(_verdict(r) for r in emb_res)
        + ". LLM rater — "
        + "; ".join(_verdict(r) for r in llm_res)
        + ". "
        + _interpretation(emb_res, llm_res),
    ]
    return lines


def new_statements(conv, embedder) -> dict[str, BinaryMetrics]:
    """Hold out each statement's votes in turn and predict them as a statement without votes.

    ``VoteRater`` with ``embedder`` rates the held-out statement from the completed columns
    of the voted statements, weighted by ``exp(cosine)`` of all-MiniLM-L6-v2 embeddings (the
    default) and, sharper, of the 5 nearest with ``exp(cosine / 0.1)``; baselines:
    each participant's own agree share on the other statements (*participant mean*) and the
    global agree share (*overall*). Scored on every agree/disagree vote of every statement.
    """
    conv = conv.accepted()
    V = np.asarray(conv.votes, dtype=np.float64)
    texts = list(conv.texts)
    y, p_side, p_near, p_mean, p_all = [], [], [], [], []
    for j in range(V.shape[1]):
        voted = np.abs(V[:, j]) == 1.0
        if not voted.any():
            continue
        rest = V.copy()
        rest[:, j] = np.nan
        rater = VoteRater(rest, texts, embedder=embedder)
        sharp = VoteRater(rest, texts, embedder=embedder, neighbours=5, temperature=0.1)
        who = list(np.flatnonzero(voted))
        y.append(V[voted, j] == 1.0)
        p_side.append(rater.agreement(who, [texts[j]])[:, 0])
        p_near.append(sharp.agreement(who, [texts[j]])[:, 0])
        agrees, disagrees = (rest == 1.0).sum(axis=1), (rest == -1.0).sum(axis=1)
        p_mean.append(((agrees + 1.0) / (agrees + disagrees + 2.0))[voted])
        share = (rest == 1.0).sum() / max(int((np.abs(rest) == 1.0).sum()), 1)
        p_all.append(np.full(int(voted.sum()), share))
    Y = np.concatenate(y)
    return {
        "cf + embeddings (default)": binary_metrics(Y, np.concatenate(p_side)),
        "cf + embeddings, 5 nearest": binary_metrics(Y, np.concatenate(p_near)),
        "participant mean": binary_metrics(Y, np.concatenate(p_mean)),
        "overall": binary_metrics(Y, np.concatenate(p_all)),
    }


def cf_rater_validation(*, seed: int = 0, fraction: float = 0.1) -> list[str]:
    """The RESULTS.md section of ``VoteRater``: hidden votes, then statements without votes."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import lm

    embedder = lm.load_embedder()
    lines = [
        CF_TITLE,
        "",
        f"The protocol of the section above ({fraction:.0%} of each participant's agree/disagree "
        f"votes hidden, seed {seed}, the same hidden votes): `VoteRater` (*cf*) completes the "
        "training votes — statements a participant wrote count as agreed — with a rank-2 "
        "iterative SVD (column-centred hard impute, `complete_votes`) and predicts P(agree) = "
        "sigmoid(a · completed vote + b), (a, b) fitted on 10% of the training votes held out "
        "from a second completion (`agree_probabilities`); numpy only, no model. The "
        "embedding rater is repeated for reference.",
        "",
        *_HEAD,
    ]
    verdicts, held_out = [], {}
    for folder in shipped_conversations().values():
        conv = sc.read_polis(folder)
        sys.stderr.write(f"{conv.name}\n")
        t0 = time.perf_counter()
        cf = validate_rater(conv, "cf", fraction=fraction, rng=seed)
        cf_seconds = time.perf_counter() - t0
        emb = validate_rater(conv, "embedding", fraction=fraction, rng=seed, embedder=embedder)
        for res in (cf, emb):
            lines.append(_row(res.conversation, f"**{res.rater}**", res.n_hidden, res.metrics))
        for name, m in cf.baselines.items():
            lines.append(_row(cf.conversation, name, m.n, m))
        verdicts.append(f"{_verdict(cf)} ({cf_seconds:.2f} s)")
        if cf.log_loss > cf.baselines["majority"].log_loss:
            verdicts[-1] += (
                f", but a log loss of {cf.log_loss:.3f} against the majority's "
                f"{cf.baselines['majority'].log_loss:.3f}: the completion commits to ±1 on "
                "some cells, which log loss punishes heavily when wrong"
            )
        held_out[conv.name] = new_statements(conv, embedder)
    lines += [
        "",
        "**What this shows.** " + "; ".join(verdicts) + ". People's own votes predict their "
        "other votes far better than the text of what they agreed with: two dimensions of "
        "the vote matrix carry most of who agrees with what, which is why `vote_utilities` "
        "fills unseen votes with this rater by default when a slate is built from votes.",
        "",
        "**Statements nobody voted on yet** (the side information of `VoteRater`): each "
        "statement's votes held out in turn, the statement rated from the completed columns "
        "of the voted statements weighted by exp(embedding cosine) (the default), or of its 5 "
        "nearest by exp(cosine / 0.1); *participant mean* = the participant's add-one "
        "smoothed agree share on the other statements, *overall* = the global agree share.",
        "",
        "| conversation | predictor | votes | accuracy | balanced accuracy | Brier | log loss "
        "| ECE | AUC |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, table in held_out.items():
        for predictor, m in table.items():
            lines.append(_row(name, predictor, m.n, m))
    lines += ["", _side_information_verdict(held_out)]
    return lines


def _side_information_verdict(held_out: dict[str, dict[str, BinaryMetrics]]) -> str:
    """A sentence whose claims are checked against the held-out table."""
    default = "cf + embeddings (default)"
    sharp = "cf + embeddings, 5 nearest"
    beats = [n for n, t in held_out.items() if t[default].auc > t["participant mean"].auc + 0.01]
    worse = [n for n, t in held_out.items() if t[sharp].brier > t[default].brier]
    out = (
        "For a statement without votes the embeddings add "
        + ("a little ranking signal on " + ", ".join(beats) if beats else "no ranking signal")
        + " beyond each participant's own agree share: sentence embeddings measure topic, not "
        "stance."
    )
    if len(worse) == len(held_out):
        out += (
            " Leaning on the nearest statements alone is worse on every conversation (a "
            "'Leave' statement's nearest neighbour may be a 'Remain' one), hence the soft "
            "default, which falls back to the participant's overall agreement."
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="20 LLM votes per conversation")
    ap.add_argument("--llm-votes", type=int, default=300, help="LLM subsample per conversation")
    ap.add_argument("--cf-only", action="store_true", help="only the VoteRater section (no LLM)")
    args = ap.parse_args()
    from _results import write_section

    if not args.cf_only:
        write_section(rater_validation(args.quick, llm_votes=args.llm_votes))
    write_section(cf_rater_validation())


if __name__ == "__main__":
    main()
