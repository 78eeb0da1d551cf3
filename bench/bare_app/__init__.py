"""A bare Django app for benchmarks: one view that inserts one row, nothing else.

It shares the project's database settings (engine, SQLite WAL pragmas, IMMEDIATE transactions)
so that a benchmark can compare the project's full stack against the floor Django itself sets.
"""
