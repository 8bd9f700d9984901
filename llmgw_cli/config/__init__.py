"""Profiles: the model, the on-disk store, selection and secrets."""
