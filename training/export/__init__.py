"""Export: the .keras file, its JSON and Markdown cards, and a TF Serving SavedModel."""
