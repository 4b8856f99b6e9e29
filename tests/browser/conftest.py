"""Browser fixtures live in tests/conftest.py so that every area's browser tests share one browser."""
