"""The subsidies app in the admin, one module per area; importing a module registers its admins.

The county edits policies and receiving accounts here; entitlements and the
ledgers are only listed and shown, since they change through the services alone.
"""

from subsidies.admin import donors, entitlements, funds, ledgers, payments, policies, quotas

__all__ = ["donors", "entitlements", "funds", "ledgers", "payments", "policies", "quotas"]
