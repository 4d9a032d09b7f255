"""Evaluation: metrics, robustness conditions, JSON reports and plots."""
