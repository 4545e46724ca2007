import time, pandas as pd, pyarrow as pa, numpy as np
df = pd.read_parquet("/tmp/rlagg/d100k.parquet")
s = df["prompt_id"]; a = s.array
t=time.perf_counter(); ch = np.asarray(a[1:] != a[:-1]); print("adjacent cmp", time.perf_counter()-t, ch.dtype, ch.sum())
t=time.perf_counter(); pd.factorize(s); print("factorize str", time.perf_counter()-t)
heads = np.flatnonzero(np.r_[True, ch])
t=time.perf_counter(); h = a.take(heads); print("take heads", time.perf_counter()-t)
t=time.perf_counter(); pd.factorize(h); print("factorize heads", time.perf_counter()-t)
r = df["response"].array
t=time.perf_counter(); x = r.take(np.arange(0, len(r), 5)); print("take resp 1/5", time.perf_counter()-t)
t=time.perf_counter(); y = x.take(np.random.default_rng(0).integers(0, len(x), 600000)); print("take from taken", time.perf_counter()-t)
c = df["prompt_id"].astype("category")
t=time.perf_counter(); pd.factorize(c); print("factorize cat", time.perf_counter()-t)
