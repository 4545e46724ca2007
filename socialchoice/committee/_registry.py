"""Committee rule registry (being written)."""

COMMITTEE_RULES: dict = {}
CommitteeRule = rule_names = select = None
