"""Summarizer backends beyond the extractive one in ``summarizer.pipeline``.

``Summarizer.load()`` picks the backend from ``settings.backend``; import
``summarizer.backends.abstractive`` directly to build an ``AbstractiveSummarizer`` by hand.
Nothing is imported here, so this package costs nothing until a backend is used.
"""
