"""The moral graph of values (Democratic Fine-Tuning; Klingefjord, Lowe & Edelman 2024).

Value cards, "wiser than" votes, context subgraphs and the aggregation Γ arrive with the
moral-graph issue; the formulas are in docs/reference.md §7. This package is part of the
fixed layout.
"""
