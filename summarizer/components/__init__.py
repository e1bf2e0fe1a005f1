"""Steps every backend shares: validation and segmentation, the shared encoder pass, composing a ``Summary``."""
