"""``python -m summarizer_service``: run the HTTP service with the settings from the environment."""

from summarizer import get_settings
from summarizer_service.server import serve

if __name__ == "__main__":
    serve(get_settings())
