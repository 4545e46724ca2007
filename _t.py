import time, pandas as pd, pyarrow as pa, numpy as np
t=time.perf_counter(); df = pd.read_parquet("/tmp/rlagg/d100k.parquet"); print("read", time.perf_counter()-t)
t=time.perf_counter(); df = pd.read_parquet("/tmp/rlagg/d100k.parquet"); print("read2", time.perf_counter()-t)
s = df["response"].array
print(type(s), s._pa_array.num_chunks)
idx = np.random.default_rng(0).integers(0, len(df), 600000)
t=time.perf_counter(); s.take(idx); print("take chunked", time.perf_counter()-t)
c = s._pa_array.combine_chunks()
t=time.perf_counter(); c.take(pa.array(idx)); print("take combined", time.perf_counter()-t)
t=time.perf_counter(); pd.factorize(df["prompt_id"]); print("factorize str", time.perf_counter()-t)
t=time.perf_counter(); pd.factorize(df["response_id"].to_numpy()); print("factorize int", time.perf_counter()-t)
