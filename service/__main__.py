"""``python -m service``: run the HTTP service with the settings from the environment."""

from __future__ import annotations

import logging

import uvicorn

from service.app import create_app
from summarizer import get_settings


def main() -> None:
    settings = get_settings()
    # The service logs one line per request itself, so uvicorn's access log is turned off.
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    uvicorn.run(
        create_app(settings), host=settings.host, port=settings.port, log_level=settings.log_level, access_log=False
    )


if __name__ == "__main__":
    main()
