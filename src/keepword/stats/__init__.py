"""Read-side statistics: enforcement numbers from SQL aggregates, and the series charts draw."""
