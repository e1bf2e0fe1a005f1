"""Chat models for the llm backend: one small interface, two clients (local transformers, OpenAI-compatible server).

``chat_loader.load_chat_client(settings)`` returns the client ``SUMMARIZER_LLM_PROVIDER`` names. Both take a list
of chat messages and return a ``Completion``; ``on_token`` receives text as it is generated
(streaming), and ``json_schema`` asks for structured output where the model or server supports it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

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
