"""Where the detector's training images come from."""
