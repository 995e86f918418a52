"""The command-line shell: one typer app, one module per command group (see :mod:`.main`)."""
