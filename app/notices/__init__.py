"""Notices: refresher and authority notices, kept in an outbox and sent by SMTP exactly once."""
