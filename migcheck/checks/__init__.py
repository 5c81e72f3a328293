"""Checks, one module per rule family; importing a module registers its rules."""
