"""Connectors: pull cluster systems over HTTP and map their data to the submission shape."""
