import numpy as np, pandas as pd, time
import socialchoice as sc
from rlchf import PreferenceData, aggregate_pairs
from rlchf._aggregate_ref import aggregate_pairs_ref

def make(rng, P, strict=False, partial=True):
    rows=[]
    for p in range(P):
        m = rng.integers(2, 6); n = rng.integers(1, 7)
        for a in range(n):
            k = m if (strict or not partial) else rng.integers(2, m+1)
            resp = rng.permutation(m)[:k]
            if strict: rk = rng.permutation(k)
            else: rk = rng.integers(0, k, size=k)
            for r, x in zip(resp, rk):
                rows.append((f"p{p}", f"prompt {p}", int(r), f"resp {p}-{r}", f"a{rng.integers(0,10)}" if False else f"a{a}", int(x)))
    df = pd.DataFrame(rows, columns=["prompt_id","prompt","response_id","response","annotator_id","rank"])
    return PreferenceData.from_pandas(df, kind="ranking")

rng = np.random.default_rng(1)
for strict in (False, True):
    data = make(rng, 60, strict=strict)
    for rule in ["pairwise_majority", *sc.rule_names()]:
        if rule in ("kemeny","slater") : pass
        try:
            fast = aggregate_pairs(data, rule)
        except Exception as e:
            print(strict, rule, "FAST ERR", type(e).__name__, str(e)[:150]); continue
        ref = aggregate_pairs_ref(data, rule)
        ok = fast.reset_index(drop=True).round(12).equals(ref.round(12)) if len(fast)==len(ref) else False
        if not ok:
            print(strict, rule, "MISMATCH", len(fast), len(ref))
        else:
            print(strict, rule, "ok", len(fast))
