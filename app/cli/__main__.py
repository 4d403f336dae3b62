"""`python -m app.cli`: how the tests and `dev` start the CLI in a process of its own."""

from app.cli import main

main()
