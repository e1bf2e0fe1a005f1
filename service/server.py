"""Run the service under uvicorn: shared by ``summarizer serve`` and ``python -m service``."""

from __future__ import annotations

import logging

import uvicorn

from service.app import create_app
from summarizer import Settings


def serve(settings: Settings) -> None:
    """Configure logging and serve until interrupted (uvicorn handles SIGINT/SIGTERM)."""
    # The service logs one line per request itself (no article text), so uvicorn's access log is off.
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    uvicorn.run(
        create_app(settings), host=settings.host, port=settings.port, log_level=settings.log_level, access_log=False
    )
