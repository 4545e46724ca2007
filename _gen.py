import sys, time, numpy as np
sys.path.insert(0, "benchmarks")
from rlchf_aggregate import write_data
t=time.time(); write_data(sys.argv[2], int(sys.argv[1]), np.random.default_rng(0)); print("gen", time.time()-t)
