"""Delegated immigration authority: grants, renewals, withdrawals, lapse, and the gate."""
