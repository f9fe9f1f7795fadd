"""Pure rules and value types of the data map: no I/O, no database."""
