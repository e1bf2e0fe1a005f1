"""Run the service under uvicorn: shared by ``summarizer serve`` and ``python -m summarizer_service``."""

from __future__ import annotations

import signal
import sys

import uvicorn

from summarizer import Settings
from summarizer_service.app import create_app
from summarizer_service.observability import configure_logging


def serve(settings: Settings) -> None:
    """Configure logging and serve until SIGINT/SIGTERM.

    On a signal uvicorn stops accepting connections, lets in-flight requests finish for up to
    ``shutdown_grace_s``, runs the lifespan shutdown and exits 0.
    """
    # The service logs one line per request itself (no article text), so uvicorn's access log is off.
    configure_logging(settings)
    app = create_app(settings)
    # uvicorn re-raises SIGTERM once its graceful shutdown is done; by then the shutdown was clean,
    # so the process exits 0 (orchestrators treat a signal death as a crash).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        log_config=None,  # keep the root configuration above: uvicorn's own lines become JSON too
        access_log=False,
        timeout_graceful_shutdown=settings.shutdown_grace_s,  # type: ignore[arg-type]  # a float works
    )
