import time, pandas as pd, pyarrow as pa, numpy as np
df = pd.read_parquet("/tmp/rlagg/d100k.parquet")
s = df["response"]
ca = s.array.__arrow_array__()
print(type(ca), ca.num_chunks, s.dtype)
rows = np.arange(0, len(s), 5)
t=time.process_time(); x = s.array.take(rows); print("plain take", time.process_time()-t)
t=time.process_time()
lens = np.array([len(c) for c in ca.chunks]); off = np.concatenate([[0], np.cumsum(lens)])
cut = np.searchsorted(rows, off)
parts = [c.take(pa.array(rows[cut[k]:cut[k+1]] - off[k])) for k, c in enumerate(ca.chunks)]
res = pa.chunked_array(parts, type=ca.type)
y = pd.array(res, dtype=s.dtype)
print("chunked take", time.process_time()-t, type(y), y.dtype, (x == y).all())
t=time.process_time(); z = y.take(np.random.default_rng(0).integers(0, len(y), 600000)); print("take from result", time.process_time()-t)
