"""Scheduled and queued jobs."""
