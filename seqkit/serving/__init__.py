"""Export runs as SavedModels and serve them over TensorFlow Serving's API."""
