"""Backends side by side behind one interface (``base.Backend``); ``summarizer.api.load_backend`` picks one.

Nothing is imported here, so this package costs nothing until a backend is used.
"""
