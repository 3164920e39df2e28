"""Sign-in, roles and who may see or change what (see docs/access.md)."""
