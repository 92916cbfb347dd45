"""Request and response bodies of the API. Amounts are strings, dates ISO 8601."""
