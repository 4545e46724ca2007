"""Opinion groups (being written)."""
OpinionMap = opinion_groups = opinion_map = None
