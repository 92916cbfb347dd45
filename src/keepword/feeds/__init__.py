"""Partner feeds: the gap-free feed over the outbox, partner views, signed webhooks, acknowledgements, exports."""
