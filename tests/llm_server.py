"""A real OpenAI-compatible HTTP server on 127.0.0.1 (FastAPI + uvicorn in a thread) for the llm backend's tests.

Each request takes the next step of ``server.script`` (the last step repeats): ``("ok", text)`` answers a
chat completion (streamed as server-sent events when the request asks), ``("status", 429)`` an error
status, ``("hang", seconds)`` waits before answering, ``("junk", body)`` a body that is no completion,
``("model", None)`` asks ``server.model`` (a real ``ChatClient``) to answer. ``("refuse_schema", text)``
answers 400 to a request with ``response_format`` and ``text`` to one without. Requests are recorded.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse


class OpenAIServer:
    def __init__(self) -> None:
        self.script: list[tuple[str, Any]] = [("ok", "{}")]
        self.requests: list[dict[str, Any]] = []
        self.model: Any = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def next_step(self) -> tuple[str, Any]:
        return self.script.pop(0) if len(self.script) > 1 else self.script[0]


def _completion(text: str, body: dict[str, Any]) -> Response:
    if not body.get("stream"):
        return JSONResponse(
            {
                "id": "x",
                "object": "chat.completion",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 11, "completion_tokens": len(text.split())},
            }
        )

    async def events() -> AsyncIterator[bytes]:
        for piece in [w + " " for w in text.split(" ")]:
            chunk = {"choices": [{"index": 0, "delta": {"content": piece}}]}
            yield f"data: {json.dumps(chunk)}\n\n".encode()
            await asyncio.sleep(0)
        yield b'data: {"choices": [], "usage": {"prompt_tokens": 11, "completion_tokens": 3}}\n\n'
        yield b"data: [DONE]\n\n"

    return StreamingResponse(events(), media_type="text/event-stream")


def make_app(server: OpenAIServer) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def complete(request: Request) -> Response:
        body = await request.json()
        server.requests.append(body)
        kind, arg = server.next_step()
        if kind == "status":
            return JSONResponse({"error": {"message": "scripted"}}, status_code=arg, headers={"Retry-After": "0"})
        if kind == "hang":
            await asyncio.sleep(arg)
            return _completion("{}", body)
        if kind == "junk":
            return Response(arg, media_type="application/json")
        if kind == "refuse_schema":
            if "response_format" in body:
                return JSONResponse({"error": {"message": "response_format not supported"}}, status_code=400)
            return _completion(arg, body)
        if kind == "model":
            done = await asyncio.to_thread(server.model.complete, body["messages"], max_new_tokens=body["max_tokens"])
            return _completion(done.text, body)
        return _completion(arg, body)

    return app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server() -> Iterator[OpenAIServer]:
    server = OpenAIServer()
    server.port = free_port()
    config = uvicorn.Config(make_app(server), host="127.0.0.1", port=server.port, log_level="error")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        if time.monotonic() > deadline:
            raise RuntimeError("test OpenAI server did not start")
        time.sleep(0.02)
    try:
        yield server
    finally:
        uv.should_exit = True
        thread.join(timeout=10)


# The article the llm service tests summarize: every fact a scripted answer states is in it, or is not on purpose.
ARTICLE = (
    "The city council approved a transport budget of 40 million pounds on Tuesday. "
    "The plan adds two tram lines between the harbour and the university. "
    "Mayor Alice Brown said the lines would shorten commutes for thousands of students. "
    "Critics warned that local taxes may rise to pay for the construction."
)
