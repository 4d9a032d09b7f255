"""The detector's views: each a package behind the interface in `base`."""
