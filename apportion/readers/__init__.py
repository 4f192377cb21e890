"""Readers: input files → typed tables or located issues (FORMATS.md)."""
