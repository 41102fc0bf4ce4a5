"""The rule language: YAML rules and parameters parsed into a typed IR."""
