"""HTTP: the REST API, the portal pages and authentication."""
