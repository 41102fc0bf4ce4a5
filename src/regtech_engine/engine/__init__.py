"""Engine backends behind one interface: durable_rules and the plain-Python reference."""
