"""``python -m clean`` runs the command line."""

from .cli import main

main()
