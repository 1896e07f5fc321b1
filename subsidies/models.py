"""Aid policies, entitlements and disbursement ledgers (later issues)."""
