"""Ledger pages, one module per area: problems, grades and plans, statistics, public reports."""
