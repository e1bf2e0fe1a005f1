"""``python -m service``: run the HTTP service with the settings from the environment."""

from service.server import serve
from summarizer import get_settings

if __name__ == "__main__":
    serve(get_settings())
