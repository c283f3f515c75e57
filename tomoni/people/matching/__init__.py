"""名寄せ: Japanese normalisation, the match model, batch dedupe (Splink on DuckDB)."""
