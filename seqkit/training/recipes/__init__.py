"""One short module per application: data, build, fit, run folder."""
