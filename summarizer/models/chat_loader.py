"""``load_chat_client``: the chat model ``SUMMARIZER_LLM_PROVIDER`` names (imported only when chosen)."""

from __future__ import annotations

from summarizer.config import Settings
from summarizer.models.llm import ChatClient


def load_chat_client(settings: Settings, *, device: str | None = None) -> ChatClient:
    """The client ``settings.llm_provider`` names, loaded (the local model is read here, a server is not called)."""
    if settings.llm_provider == "openai":
        from summarizer.models.openai_client import OpenAIClient

        return OpenAIClient.from_settings(settings)
    from summarizer.models.local_llm import LocalChatModel

    return LocalChatModel.load(settings, device=device)
