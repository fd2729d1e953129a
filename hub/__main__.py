"""``python -m hub``: the same command line as ``hub``, for a process started from Python."""

from hub.cli import main

main()
