"""Demo data: a realistic history written as services would send it, loaded by the pipelines."""
