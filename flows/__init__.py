"""Prefect flows: thin wrappers that wire the pipeline's stages together."""
