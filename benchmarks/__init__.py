"""Benchmarks for MTSS Academy: run ``python -m benchmarks`` (or ``make bench``)."""
