"""Stages: functions over typed records that turn a file into passages and passages into scores.

ingest (files -> pages), formats (Word, HTML, Markdown, text), ocr, language, segment (pages ->
passages), taxonomy (the indicator list), embed (sentence encoders), classify (scores -> candidates),
analyse (one document through language, segment and classify), corpus (folders and manifests).
May import: ``pipeline.records``, ``pipeline.config``, ``pipeline.errors`` and each other. Never
storage, services, flows or apps, nor Prefect, FastAPI, Starlette or Jinja.
"""
