"""The ``kclient`` command line: one module per subcommand."""
