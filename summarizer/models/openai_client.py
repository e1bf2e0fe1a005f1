"""A client for any OpenAI-compatible ``/v1/chat/completions`` server (vLLM, Ollama, llama.cpp, TGI, hosted APIs).

One pooled ``httpx.Client`` per process; at most ``SUMMARIZER_LLM_MAX_CONCURRENCY`` completions in
flight; one deadline (``SUMMARIZER_LLM_TIMEOUT_S``) for a completion, retries included; 429, 5xx
and dropped connections are retried with exponential backoff (``Retry-After`` honoured within the
deadline). Structured output (``response_format`` with a JSON schema) is asked for when enabled; a
server that refuses it with a 400 is asked again in plain text, and not asked again. The key is a
``SecretStr`` that only goes into the ``Authorization`` header, never into a message or a log.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

from summarizer.config import Settings
from summarizer.errors import MissingDependencyError, ModelLoadError, UpstreamError, UpstreamTimeoutError
from summarizer.models.llm import Completion, Message, OnToken

log = logging.getLogger(__name__)

DEFAULT_CONTEXT_TOKENS = 8192
CHARS_PER_TOKEN = 3.0  # a cautious estimate (English averages about 4): chunks err on the small side
_BACKOFF_S = 0.5
_MAX_BACKOFF_S = 8.0


def read_api_key(settings: Settings) -> str | None:
    if settings.llm_api_key is not None:
        return settings.llm_api_key.get_secret_value()
    if settings.llm_api_key_file is not None:
        try:
            lines = settings.llm_api_key_file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise ModelLoadError(f"cannot read SUMMARIZER_LLM_API_KEY_FILE: {exc.strerror or exc}") from None
        return lines[0].strip() if lines and lines[0].strip() else None
    return None


class _Retry(Exception):
    def __init__(self, reason: str, wait_s: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait_s = wait_s


class OpenAIClient:
    provider = "openai"
    engine = "openai-compatible"
    device = "remote"
    precision = "server"

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        timeout_s: float = 60.0,
        connect_timeout_s: float = 5.0,
        retries: int = 2,
        max_concurrency: int = 4,
        structured: bool = True,
        context_tokens: int = DEFAULT_CONTEXT_TOKENS,
    ) -> None:
        try:
            import httpx
        except ImportError:
            raise MissingDependencyError(
                "the openai provider needs httpx: pip install 'summarizer[llm]'", code="missing_dependency"
            ) from None
        self._httpx = httpx
        self.name = model
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.connect_timeout_s = connect_timeout_s
        self.retries = retries
        self.max_concurrency = max_concurrency
        self.structured = structured
        self.context_tokens = context_tokens
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            headers=headers,
            limits=httpx.Limits(max_connections=max_concurrency, max_keepalive_connections=max_concurrency),
        )
        self._slots = threading.BoundedSemaphore(max_concurrency)

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAIClient:
        if not settings.llm_base_url or not settings.llm_model:
            raise ModelLoadError("the openai provider needs SUMMARIZER_LLM_BASE_URL and SUMMARIZER_LLM_MODEL")
        if not settings.llm_base_url.startswith(("http://", "https://")):
            raise ModelLoadError("SUMMARIZER_LLM_BASE_URL must start with http:// or https://")
        return cls(
            settings.llm_base_url,
            settings.llm_model,
            api_key=read_api_key(settings),
            timeout_s=settings.llm_timeout_s,
            connect_timeout_s=settings.llm_connect_timeout_s,
            retries=settings.llm_retries,
            max_concurrency=settings.llm_max_concurrency,
            structured=settings.llm_structured_output,
            context_tokens=settings.llm_context_tokens or DEFAULT_CONTEXT_TOKENS,
        )

    def close(self) -> None:
        self._client.close()

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """An estimate (the server's tokenizer is not here), deliberately high so chunks fit."""
        return [math.ceil(len(t) / CHARS_PER_TOKEN) for t in texts]

    # -- completions ------------------------------------------------------------------------

    def complete(
        self,
        messages: list[Message],
        *,
        max_new_tokens: int,
        json_schema: dict[str, Any] | None = None,
        on_token: OnToken | None = None,
    ) -> Completion:
        started = time.monotonic()
        deadline = started + self.timeout_s
        attempt = 0
        with self._slots:
            while True:
                body: dict[str, Any] = {
                    "model": self.name,
                    "messages": messages,
                    "max_tokens": max_new_tokens,
                    "temperature": 0,
                }
                if json_schema is not None and self.structured:
                    body["response_format"] = {
                        "type": "json_schema",
                        "json_schema": {"name": "summary", "schema": json_schema},
                    }
                try:
                    text, usage = self._attempt(body, deadline, on_token)
                except _Retry as retry:
                    attempt += 1
                    wait = min(retry.wait_s or _BACKOFF_S * 2 ** (attempt - 1), _MAX_BACKOFF_S)
                    if attempt > self.retries or time.monotonic() + wait >= deadline:
                        raise UpstreamError(
                            f"the model server failed after {attempt} attempt(s): {retry.reason}",
                            code="upstream_unreachable" if retry.reason.startswith("cannot") else "upstream_failed",
                        ) from None
                    log.warning("model server: %s; retrying in %.1f s", retry.reason, wait)
                    time.sleep(wait)
                    continue
                except _StructuredRefused:
                    self.structured = False  # this server does not take response_format: plain text from now on
                    log.warning("model server refused response_format; asking in plain text")
                    continue
                prompt_tokens = int(
                    usage.get("prompt_tokens") or sum(self.count_tokens([m["content"] for m in messages]))
                )
                completion_tokens = int(usage.get("completion_tokens") or self.count_tokens([text])[0])
                return Completion(text, prompt_tokens, completion_tokens, time.monotonic() - started)

    def _timeout(self, deadline: float) -> Any:
        left = deadline - time.monotonic()
        if left <= 0:
            raise UpstreamTimeoutError(f"the model server did not answer within {self.timeout_s:g} s")
        return self._httpx.Timeout(left, connect=min(self.connect_timeout_s, left))

    def _attempt(self, body: dict[str, Any], deadline: float, on_token: OnToken | None) -> tuple[str, dict[str, Any]]:
        httpx = self._httpx
        url = f"{self.base_url}/chat/completions"
        try:
            if on_token is None:
                response = self._client.post(url, json=body, timeout=self._timeout(deadline))
                self._check(response, body)
                return self._parse_whole(response)
            body = {**body, "stream": True, "stream_options": {"include_usage": True}}
            with self._client.stream("POST", url, json=body, timeout=self._timeout(deadline)) as response:
                if response.status_code >= 400:
                    response.read()
                self._check(response, body)
                if not response.headers.get("content-type", "").startswith("text/event-stream"):
                    response.read()  # a server that ignores "stream": one whole completion
                    text, usage = self._parse_whole(response)
                    on_token(text)
                    return text, usage
                return self._parse_stream(response.iter_lines(), deadline, on_token)
        except httpx.TimeoutException:
            if time.monotonic() >= deadline - 0.05:
                raise UpstreamTimeoutError(f"the model server did not answer within {self.timeout_s:g} s") from None
            raise _Retry("the model server timed out") from None
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            raise _Retry(f"cannot reach the model server ({type(exc).__name__})") from None

    def _check(self, response: Any, body: dict[str, Any]) -> None:
        status = response.status_code
        if status < 400:
            return
        if status == 400 and "response_format" in body:
            raise _StructuredRefused()
        if status == 429 or status >= 500:
            raise _Retry(f"HTTP {status}", _retry_after(response.headers.get("retry-after")))
        raise UpstreamError(f"the model server answered HTTP {status}", code="upstream_failed")

    def _parse_whole(self, response: Any) -> tuple[str, dict[str, Any]]:
        try:
            payload = response.json()
            text = payload["choices"][0]["message"]["content"] or ""
        except (ValueError, KeyError, IndexError, TypeError):
            raise UpstreamError(
                "the model server's answer is not a chat completion", code="upstream_bad_response"
            ) from None
        usage = payload.get("usage") if isinstance(payload.get("usage"), dict) else {}
        return str(text), usage or {}

    def _parse_stream(self, lines: Iterator[str], deadline: float, on_token: OnToken) -> tuple[str, dict[str, Any]]:
        parts: list[str] = []
        usage: dict[str, Any] = {}
        for line in lines:
            if time.monotonic() > deadline:
                raise UpstreamTimeoutError(f"the model server did not finish within {self.timeout_s:g} s")
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                break
            try:
                event = json.loads(data)
            except ValueError:
                raise UpstreamError(
                    "the model server sent an event that is not JSON", code="upstream_bad_response"
                ) from None
            if isinstance(event.get("usage"), dict):
                usage = event["usage"]
            for choice in event.get("choices") or []:
                piece = (choice.get("delta") or {}).get("content")
                if piece:
                    parts.append(piece)
                    on_token(piece)
        return "".join(parts), usage


class _StructuredRefused(Exception):
    pass


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
