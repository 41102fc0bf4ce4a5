"""A pytest-bdd step library for compliance staff, in English and Chinese."""
