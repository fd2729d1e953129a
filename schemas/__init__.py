"""Exchange-format schemas and the shipped reference data (catalogue, registry)."""
