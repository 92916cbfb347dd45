"""Persistence: SQLAlchemy 2 tables, mappings, repositories, the unit of work and migrations."""
