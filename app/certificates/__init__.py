"""Certificates: issuance, PDF, signing, verification and revocation."""
