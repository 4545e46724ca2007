"""Polis export reader (being written)."""
Conversation = Statement = read_polis = None
