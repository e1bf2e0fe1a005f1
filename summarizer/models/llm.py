"""Chat models for the llm backend: one small interface, two clients (local transformers, OpenAI-compatible server).

``load_chat_client(settings)`` returns the client ``SUMMARIZER_LLM_PROVIDER`` names. Both take a list
of chat messages and return a ``Completion``; ``on_token`` receives text as it is generated
(streaming), and ``json_schema`` asks for structured output where the model or server supports it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from summarizer.config import Settings

Message = dict[str, str]  # {"role": "system" | "user" | "assistant", "content": "..."}
OnToken = Callable[[str], None]


@dataclass(frozen=True)
class Completion:
    text: str
    prompt_tokens: int
    completion_tokens: int
    seconds: float


class ChatClient(Protocol):
    """What the llm backend needs from a model: token counts for chunking, and completions."""

    name: str
    provider: str  # local or openai
    device: str
    engine: str
    precision: str
    context_tokens: int  # prompt plus answer
    max_concurrency: int  # completions worth running at once (1 for a local model)

    def count_tokens(self, texts: Sequence[str]) -> list[int]: ...

    def complete(
        self,
        messages: list[Message],
        *,
        max_new_tokens: int,
        json_schema: dict[str, Any] | None = None,
        on_token: OnToken | None = None,
    ) -> Completion: ...


def load_chat_client(settings: Settings, *, device: str | None = None) -> ChatClient:
    """The client ``settings.llm_provider`` names, loaded (the local model is read here, a server is not called)."""
    if settings.llm_provider == "openai":
        from summarizer.models.openai_client import OpenAIClient

        return OpenAIClient.from_settings(settings)
    from summarizer.models.local_llm import LocalChatModel

    return LocalChatModel.load(settings, device=device)
