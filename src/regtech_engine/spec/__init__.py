"""Product-spec models, their schema as data, and loading spec files."""
