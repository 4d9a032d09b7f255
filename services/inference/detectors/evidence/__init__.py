"""Evidence the fusion never weighs: provenance (C2PA, generator metadata) and the spectrum."""
