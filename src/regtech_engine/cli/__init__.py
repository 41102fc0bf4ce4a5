"""The command line: the only place that prints, reads argv or chooses exit codes."""
