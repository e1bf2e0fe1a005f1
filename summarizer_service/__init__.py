"""HTTP service for the article summarizer: ``create_app()`` builds the FastAPI application."""

from summarizer_service.app import create_app

__all__ = ["create_app"]
