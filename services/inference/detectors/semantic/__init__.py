"""The semantic view: a pretrained CLIP image tower, frozen, and our own trained head."""
