"""Pure helpers shared by every app: 和暦, 年度, text keys, business days, CSV. No models."""
