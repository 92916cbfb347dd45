"""Realistic synthetic enforcement data, reproducible from a seed (``keepword demo``)."""
