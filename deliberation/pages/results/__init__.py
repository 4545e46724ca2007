"""The researchers' results pages, on the deliberations stored in the database.

Each page chooses a deliberation and shows what :class:`deliberation.Store` and the domain
packages compute from it; results are cached under the deliberation's data version (kept in
the database), so a page stays correct when another app instance writes.
"""
