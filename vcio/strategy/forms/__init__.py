"""The strategy app's forms, one module per section."""
