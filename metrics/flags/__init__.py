"""Corrective-action flags: the rules that raise them, their audited lifecycle and the register."""
