"""Plain-Python core of customer_relations: no ``odoo`` import anywhere in this package.

Models hand the engine plain data (lists, dicts, DataFrames) and write its results back;
the engine is tested with pytest without an Odoo server (see the repository's ``tests/``).
"""
