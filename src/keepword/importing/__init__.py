"""Bulk import of the batches courts hand over: the column set, CSV/XLSX readers, sample files.

The use case that validates and writes the rows is :mod:`keepword.services.imports`.
"""
