"""Run the product as it runs in production: real server processes on loopback.

Used by the slow tests and by the scripts in bench/. Each run gets its own
database (a fresh PostgreSQL database or a SQLite file), its own servers and a
counting password hasher, and removes all of them at the end.
"""
