"""Use cases: open the unit of work, load, call the domain, commit."""
