"""Readers: input files → typed tables or located issues (docs/formats.md)."""
