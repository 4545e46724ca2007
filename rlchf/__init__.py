"""Reinforcement learning from collective human feedback (Conitzer et al. 2024).

Aggregate-then-train and feature-conditioned reward models arrive with the rlchf issue;
the formulas are in docs/reference.md §6. This package is part of the fixed layout.
"""
