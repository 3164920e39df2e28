"""`python -m cli`, the same as `pmf`."""

from cli import main

main()
