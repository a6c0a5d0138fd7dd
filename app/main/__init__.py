"""The front door: home pages by role, health check, demo data."""
