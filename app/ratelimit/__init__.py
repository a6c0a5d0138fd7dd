"""Rate limits kept in the database, so every process and machine shares one count."""
