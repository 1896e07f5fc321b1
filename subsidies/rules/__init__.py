"""The pure eligibility rules: registry facts in, decisions with their reasons out.

`policy` snapshots a `Policy` as plain data; `facts` says who is what
(categories, poor village, tier, neediest-first rank); `pricing` holds one
small rule per policy kind; `allocation` applies the coverage rules as named
steps (`decide`); `decisions` records each student's outcome and why.
Nothing here saves or queries: `subsidies.selectors` reads the facts.
"""
