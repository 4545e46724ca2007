"""Conventions shared by every package of the toolkit (private; not a public API).

* :mod:`_common.validation` — the one set of argument checks and their one message form:
  "The 'k' parameter of select must be an int in [1, 50]. Got 0 instead."
* :mod:`_common.progress` — the one progress protocol, ``progress(done, total)``.
* :mod:`_common.sources` — what every ``read_*`` accepts: a path, a file-like object or bytes.
* :mod:`_common.lazy` — lazy package exports (PEP 562) for names heavy to import.
* :mod:`_common.parquet` — a Parquet file or a folder of them read as one data set.
* :mod:`_common.dask` — the out-of-core conventions of every package's ``dask`` module.

It depends on numpy only and imports nothing of ours, so every package (``lm`` included) may
use it. See ``docs/architecture.md``.
"""
