"""Social Value Orientation slider measure (Murphy, Ackermann & Handgraaf 2011).

Items, scoring, survey analysis and LLM SVO evaluation arrive with the svo issue; see
DESIGN.md §4–§5. This package is part of the fixed layout.
"""
