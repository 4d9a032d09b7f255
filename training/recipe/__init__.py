"""The default recipe: a real-vs-simulated-generator set built offline from packaged photos."""
