"""Authentication (tokens, secrets) and authorization (the access policy)."""
