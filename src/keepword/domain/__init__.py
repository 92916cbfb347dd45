"""Pure rules of judgment enforcement: no I/O, no frameworks."""
