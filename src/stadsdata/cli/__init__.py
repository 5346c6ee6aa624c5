"""The command line: a Typer adapter over Platform. No logic of its own."""
