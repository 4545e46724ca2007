"""Reinforcement learning from collective human feedback (Conitzer et al. 2024).

Aggregate-then-train and feature-conditioned reward models arrive with the rlchf issue;
see DESIGN.md §4–§5. This package is part of the fixed layout.
"""
