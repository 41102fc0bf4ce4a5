"""The durable_rules backend: IR -> durable_rules rulesets, evaluated by its C engine."""
