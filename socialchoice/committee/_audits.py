"""Proportionality audits (being written)."""

AuditResult = is_ejr = is_ejr_plus = is_jr = is_pjr = proportionality_report = None
