"""Domain services: plain functions over a session, no Flask, no commit."""
