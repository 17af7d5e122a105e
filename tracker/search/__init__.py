"""Search: one box in the header over notices, tasks, reports, comments and units."""
