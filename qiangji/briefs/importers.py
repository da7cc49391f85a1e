"""Nothing to import: a brief is written from the records, never filled in from a sheet (RULES.md 减负)."""
