"""One short module per application: read data, build, fit, evaluate, write."""
