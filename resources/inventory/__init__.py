"""The inventory: every (connection, kind) listed at the cloud side by side, recorded, and read back.

`fanout` runs many cloud listings at once under deadlines; `refresh` records their answers and each
listing's freshness; `listing` reads one kind across connections; `summary` counts everything.
"""
