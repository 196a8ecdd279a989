"""Learning: the trained classifier as an artefact (model), training, evaluation, building the
classifier a run uses (factory).

May import: ``pipeline.records``, ``pipeline.config`` and ``pipeline.stages``. Never storage,
services, flows or apps.
"""
