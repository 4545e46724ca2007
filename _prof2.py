import sys, time
import pandas as pd
from rlchf import PreferenceData, aggregate_pairs
path = sys.argv[1]
t0=time.perf_counter(); df = pd.read_parquet(path); t1=time.perf_counter()
print("read", t1-t0)
data = PreferenceData(df, "ranking", ())
import cProfile, pstats
pr = cProfile.Profile(time.process_time); pr.enable()
t2=time.perf_counter(); c2=time.process_time()
out = aggregate_pairs(data, "copeland"); t3=time.perf_counter(); print("cpu", time.process_time()-c2)
pr.disable()
print("aggregate", t3-t2, len(out))
pstats.Stats(pr).sort_stats("tottime").print_stats(18)
