"""Working-day calendar data files (``<name>.toml``), read by :mod:`keepword.domain.calendar`.

- ``cn.toml``: mainland China, per the State Council General Office annual holiday notices
  (2027 provisional, derived from the statutory rules until its notice is published).
- ``gb-ew.toml``: England and Wales bank holidays.
- ``de.toml``: German public holidays observed in all Länder (regional holidays not included).
"""
