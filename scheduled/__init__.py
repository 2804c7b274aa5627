"""Timed jobs: the scheduler set-up and the jobs it runs."""
