"""Helpers shared by every app: 和暦, 年度, text keys, business days, CSV, synthetic names, the
client's address, the stage machines' ``Move`` and optimistic locking (``concurrency``). No
concrete models: ``concurrency.Versioned`` is abstract."""
