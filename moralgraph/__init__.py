"""The moral graph of values (Democratic Fine-Tuning; Klingefjord, Lowe & Edelman 2024).

Value cards, "wiser than" votes, context subgraphs and the aggregation Γ arrive with the
moral-graph issue; see DESIGN.md §4–§5. This package is part of the fixed layout.
"""
