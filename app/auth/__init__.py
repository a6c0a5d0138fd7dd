"""Accounts, roles, sign-in, lockout and idle timeout."""
