"""Training, evaluation, calibration and export of Deepcatcher's detection models."""
