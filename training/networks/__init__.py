"""Detector networks: float32 (n, crop, crop, 3) pixels 0-255 in, (n, 1) raw logits out."""
