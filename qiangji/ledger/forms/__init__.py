"""Ledger forms, one module per area: the one validation path for pages (and the API where it fits)."""
