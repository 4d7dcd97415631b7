"""``python -m clean`` runs the command line."""

from clean.cli import main

main()
