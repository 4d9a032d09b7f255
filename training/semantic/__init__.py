"""Training, calibrating, fusing and evaluating the semantic view."""
