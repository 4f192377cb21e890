"""Writers: results → CSV exports and Excel reports, written atomically and byte-for-byte repeatable."""
