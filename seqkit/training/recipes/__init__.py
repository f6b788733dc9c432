"""Training recipes: one short module per application."""
