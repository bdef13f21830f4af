"""Dashboard pages of the connection registry: list and test, register, discover, edit and delete."""
