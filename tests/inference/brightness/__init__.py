"""A view that exists only in the tests: how bright the image is, as a logit."""
