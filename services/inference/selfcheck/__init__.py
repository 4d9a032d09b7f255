"""The known-answer self-check: reference inputs through every view, compared with the card."""
