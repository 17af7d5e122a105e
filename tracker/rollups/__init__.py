"""Rollups of assignments, the head's dashboard, quarter reviews and their exports."""
