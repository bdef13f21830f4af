"""`POST inventory/refresh/`: start a refresh of the inventory, as an operation with progress."""
