# Article summarizer service image: the embedded encoder is baked in, nothing is downloaded at start.
#
# CPU (default):   docker build -t summarizer .
# GPU (CUDA):      docker build -t summarizer:cuda \
#                    --build-arg BASE_IMAGE=nvidia/cuda:12.6.3-cudnn-runtime-ubuntu24.04 \
#                    --build-arg TORCH_INDEX_URL=https://download.pytorch.org/whl/cu126 .
#                  docker run --gpus all -p 8000:8000 summarizer:cuda
# Run:             docker run -p 8000:8000 summarizer      (settings: -e SUMMARIZER_...; see docs/settings.md)
#
# Build arguments: BASE_IMAGE (any Debian/Ubuntu image; python3 and venv are installed when missing),
# TORCH_SPEC / TORCH_INDEX_URL (which torch build), PIP_CERT / PIP_FIND_LINKS (a CA bundle and a
# local wheel folder, for builds behind a proxy), MODEL_CHECKPOINT + BACKEND (a hub checkpoint to bake in,
# e.g. --build-arg MODEL_CHECKPOINT=sshleifer/distilbart-cnn-12-6 --build-arg BACKEND=abstractive).

ARG BASE_IMAGE=python:3.11-slim

# -- base: python3 with venv, shared by both stages so the venv's interpreter path is the same ------
FROM ${BASE_IMAGE} AS base
RUN if ! python3 -c "import venv, ensurepip" >/dev/null 2>&1; then \
        apt-get update \
        && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 python3-venv ca-certificates \
        && rm -rf /var/lib/apt/lists/*; \
    fi
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

# -- build: dependencies first (cached until pyproject.toml changes), then the code --------------
FROM base AS build
# Empty unless given: pip ignores empty settings.
ARG PIP_CERT=""
ARG PIP_FIND_LINKS=""
# CPU wheel by default (a bare "torch" from PyPI is a multi-GB CUDA build). For a GPU image pass a
# CUDA wheel index, e.g. TORCH_INDEX_URL=https://download.pytorch.org/whl/cu126. An empty index
# means PyPI plus PIP_FIND_LINKS (how the CPU wheel is found on machines without the torch index).
ARG TORCH_SPEC=torch==2.13.0
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
RUN python3 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
RUN pip install ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"} "$TORCH_SPEC"

WORKDIR /src
COPY pyproject.toml ./
# A stub package resolves the dependency list from pyproject.toml alone, so editing code keeps this layer.
# The [all] extra: the HTTP service, HTML/URL input, the ONNX Runtime encoder and the CLI's extras.
RUN mkdir -p summarizer summarizer_service && touch README.md summarizer/__init__.py summarizer_service/__init__.py \
    && pip install '.[all]' && pip uninstall -y summarizer && rm -rf summarizer summarizer_service build *.egg-info

COPY README.md ./
COPY summarizer ./summarizer
COPY summarizer_service ./summarizer_service
RUN pip install --no-deps . && rm -rf build *.egg-info

# Export the CPU ONNX graphs now so the first start does not (the cache key covers weights and
# versions): float32 is what precision=auto serves on most CPUs, int8 what SUMMARIZER_PRECISION=int8 asks for.
ENV SUMMARIZER_CACHE_DIR=/var/cache/summarizer/onnx
RUN python3 -c "from summarizer import Settings, Summarizer; \
[Summarizer.load(settings=Settings(device='cpu', engine='onnx', precision=p)) for p in ('int8', 'float32')]"

# Optional: bake a model checkpoint from a hub (needs the hub reachable at build time). Only
# safetensors, configs and tokenizer files are fetched (never pickles), and the checkpoint is loaded
# once offline so a checkpoint without safetensors fails the build, not the container start.
ARG MODEL_CHECKPOINT=""
RUN mkdir -p /models && if [ -n "$MODEL_CHECKPOINT" ]; then \
        python3 -c "import sys; from huggingface_hub import snapshot_download; \
snapshot_download(sys.argv[1], local_dir='/models/checkpoint', \
allow_patterns=['*.json', '*.safetensors', '*.txt', '*.model'])" "$MODEL_CHECKPOINT" \
        && HF_HUB_OFFLINE=1 python3 -c "from summarizer.models.seq2seq import Seq2SeqModel; \
Seq2SeqModel.load('/models/checkpoint', device='cpu')"; \
    fi

# -- runtime: the venv, the ONNX cache and an unprivileged user -----------------------------------
FROM base AS runtime
ARG MODEL_CHECKPOINT=""
# extractive (the embedded encoder) or abstractive (needs MODEL_CHECKPOINT).
ARG BACKEND=extractive
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /home/app app
COPY --from=build /opt/venv /opt/venv
COPY --from=build --chown=10001:10001 /var/cache/summarizer /var/cache/summarizer
COPY --from=build /models /models
ENV PATH=/opt/venv/bin:$PATH \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    SUMMARIZER_HOST=0.0.0.0 \
    SUMMARIZER_PORT=8000 \
    SUMMARIZER_CACHE_DIR=/var/cache/summarizer/onnx \
    SUMMARIZER_BACKEND=${BACKEND} \
    SUMMARIZER_MODEL=${MODEL_CHECKPOINT:+/models/checkpoint}
USER 10001:10001
WORKDIR /home/app
EXPOSE 8000
# Liveness only (the model may still be loading; /readyz says when it is ready).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('SUMMARIZER_PORT', '8000'), timeout=4)"]
CMD ["summarizer", "serve"]
