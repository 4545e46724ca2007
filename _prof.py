import sys, time
import pandas as pd
from rlchf import PreferenceData, aggregate_pairs
path = sys.argv[1]
t0=time.perf_counter(); df = pd.read_parquet(path); t1=time.perf_counter()
print("read", t1-t0, df.dtypes.to_dict())
data = PreferenceData.from_pandas(df, kind="ranking"); t2=time.perf_counter()
print("validate", t2-t1)
import cProfile, pstats
pr = cProfile.Profile(); pr.enable()
out = aggregate_pairs(data, "copeland"); t3=time.perf_counter()
pr.disable()
print("aggregate", t3-t2, len(out))
pstats.Stats(pr).sort_stats("cumulative").print_stats(25)
