"""`python -m migcheck`."""

from migcheck.cli import main

main()
