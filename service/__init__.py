"""HTTP service for the article summarizer: ``create_app()`` builds the FastAPI application."""

from service.app import create_app

__all__ = ["create_app"]
