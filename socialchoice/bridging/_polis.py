"""Polis export reader (being written)."""
Conversation = Statement = read_polis = None
shipped_conversations = None
