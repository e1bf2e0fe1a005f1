"""Command line: ``summarizer summarize``, ``batch``, ``serve`` and ``version`` (entry point ``cli.main:main``)."""
