"""Lists that work: sortable columns, filters from the query string, pages, exports.

`core` is the machinery every list page shares; `assignments` and `notices` declare their
columns and filters on top of it; `export` writes exactly the filtered, sorted rows to CSV and
Excel.
"""
