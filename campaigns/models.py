"""Publicity campaigns, policy cards, home visits and mentoring (later issues)."""
