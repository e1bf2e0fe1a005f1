#!/usr/bin/env bash
# Container smoke test: build the image with podman, run it, wait for /healthz and /readyz, POST the
# seed article, check the JSON shape, check the user is not root, print the image size, remove the
# container. Works without a Docker engine or an image registry (see docs/deployment.md).
#
# Environment (all optional):
#   SMOKE_IMAGE       tag to build (default summarizer:smoke)
#   SMOKE_BASE_IMAGE  base image (default: localhost/bookworm-python:3.11, made with debootstrap if absent)
#   SMOKE_BUILD       0 to skip the build and test an existing SMOKE_IMAGE
#   PIP_CERT, PIP_FIND_LINKS  CA bundle and wheel folder for the build (default: pip's own config)
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${SMOKE_IMAGE:-summarizer:smoke}
BASE=${SMOKE_BASE_IMAGE:-localhost/bookworm-python:3.11}
SEED=seeds/000_05444940e5ccca5a.txt
HEALTH_TIMEOUT_S=60   # must stay within the Dockerfile's HEALTHCHECK --start-period (30 s) in practice
READY_TIMEOUT_S=240
log() { printf '[smoke %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { log "FAIL: $*"; exit 1; }

# 1. Tools: podman, runc (and debootstrap to make a base image), installed from Debian when missing.
need=()
for tool in podman runc; do command -v "$tool" >/dev/null || need+=("$tool"); done
if [[ $BASE == localhost/bookworm-python:3.11 ]] && ! command -v debootstrap >/dev/null; then need+=(debootstrap); fi
if ((${#need[@]})); then
  [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null || die "missing ${need[*]} (install them, or run as root on Debian)"
  log "installing ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

# 2. Podman without default ulimits (refused on these machines), runc and the cgroupfs manager.
work=$(mktemp -d)
container=""
cleanup() {
  if [[ -n $container ]]; then
    log "removing container $container"
    $PODMAN rm -f -t 5 "$container" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
printf '[containers]\ndefault_ulimits = []\n' >"$work/containers.conf"
export CONTAINERS_CONF="$work/containers.conf"
PODMAN="podman --runtime runc --cgroup-manager cgroupfs"

# 3. Base image: no registry here, so build one from Debian packages (bookworm's python3 is 3.11).
if ! $PODMAN image exists "$BASE"; then
  if [[ $BASE == localhost/bookworm-python:3.11 ]]; then
    log "creating $BASE with debootstrap"
    timeout 900 debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates bookworm \
      "$work/rootfs" >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log"; die "debootstrap failed"; }
    tar -C "$work/rootfs" -c . | $PODMAN import - "$BASE" >/dev/null 2>&1
    rm -rf "$work/rootfs"
  else
    log "pulling $BASE"
    $PODMAN pull "$BASE" >/dev/null
  fi
fi

# 4. Build. The CA bundle and pip's find-links folder (torch's CPU wheel) are mounted when set.
if [[ ${SMOKE_BUILD:-1} != 0 ]]; then
  pip_cmd=(python3 -m pip)
  [[ -x .venv/bin/pip ]] && pip_cmd=(.venv/bin/pip)
  ca=${PIP_CERT:-$("${pip_cmd[@]}" config get global.cert 2>/dev/null || true)}
  wheels=${PIP_FIND_LINKS:-$("${pip_cmd[@]}" config get global.find-links 2>/dev/null || true)}
  args=(--format docker --network=host --build-arg "BASE_IMAGE=$BASE")
  if [[ -n $ca && -f $ca ]]; then
    args+=(-v "$ca:$ca:ro" --build-arg "PIP_CERT=$ca")
  fi
  if [[ -n $wheels ]]; then
    for dir in $wheels; do
      dir=${dir#file://}
      [[ -d $dir ]] && args+=(-v "$dir:$dir:ro")
    done
    # The wheel folder holds torch's CPU build: resolve it from there and PyPI instead of the torch index.
    args+=(--build-arg "PIP_FIND_LINKS=$wheels" --build-arg "TORCH_INDEX_URL=")
  fi
  log "building $IMAGE (base $BASE)"
  started=$SECONDS
  timeout 3600 $PODMAN build "${args[@]}" -t "$IMAGE" . >"$work/build.log" 2>&1 || {
    tail -40 "$work/build.log"
    die "build failed"
  }
  tail -3 "$work/build.log"
  log "built in $((SECONDS - started)) s"
fi

# 5. Run on a free loopback port (host network: no registry-pulled network plugins needed).
port=$(python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
container=summarizer-smoke-$$
# (Without systemd podman cannot schedule the periodic HEALTHCHECK and says so on stderr; it is run once below.)
$PODMAN run -d --name "$container" --network=host \
  -e SUMMARIZER_HOST=127.0.0.1 -e SUMMARIZER_PORT="$port" "$IMAGE" >/dev/null 2>"$work/run.err" || {
  cat "$work/run.err"
  die "podman run failed"
}
started=$SECONDS
log "started $container on 127.0.0.1:$port"

wait_for() {  # wait_for PATH TIMEOUT_S: poll until 200
  local path=$1 limit=$2 deadline=$((SECONDS + $2))
  until python3 -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=3)" \
    "http://127.0.0.1:$port$path" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      $PODMAN logs --tail 30 "$container" || true
      die "$path not 200 within $limit s"
    fi
    [[ $($PODMAN inspect -f '{{.State.Running}}' "$container") == true ]] || {
      $PODMAN logs --tail 30 "$container" || true
      die "container exited"
    }
    sleep 1
  done
}
wait_for /healthz "$HEALTH_TIMEOUT_S"
log "/healthz 200 after $((SECONDS - started)) s"
# The image's own HEALTHCHECK, run once now (exit 0 = healthy; fails if the image has none).
timeout 30 $PODMAN healthcheck run "$container" || die "the image's HEALTHCHECK failed"
log "HEALTHCHECK: healthy"
wait_for /readyz "$READY_TIMEOUT_S"
log "/readyz 200 after $((SECONDS - started)) s"
if $PODMAN logs "$container" 2>&1 | grep -q "exporting .* to ONNX"; then
  die "the container exported the ONNX graph at start-up: the image should ship it"
fi

# 6. Not root.
uid=$($PODMAN exec "$container" id -u)
[[ $uid != 0 ]] || die "the container runs as root"
log "container user: uid $uid ($($PODMAN exec "$container" id -un))"

# 7. The seed article, and the shape of the answer.
timeout 120 python3 - "http://127.0.0.1:$port/v1/summarize" "$SEED" <<'EOF' || die "bad response"
import json
import sys
import urllib.request

url, seed = sys.argv[1], sys.argv[2]
text = open(seed, encoding="utf-8").read()
request = urllib.request.Request(
    url, data=json.dumps({"text": text}).encode(), headers={"Content-Type": "application/json"}, method="POST"
)
with urllib.request.urlopen(request, timeout=60) as response:
    assert response.status == 200, response.status
    body = json.load(response)
assert isinstance(body["summary"], str) and body["summary"], "empty summary"
assert body["sentences"], "no sentences"
for item in body["sentences"] + body["why_it_matters"]:
    assert isinstance(item["text"], str) and item["text"], item
    assert 0 <= item["start"] < item["end"] <= len(text), item
assert isinstance(body["why_it_matters"], list)
assert body["meta"]["backend"], body["meta"]
print(f"summary ({len(body['sentences'])} sentences, {len(body['why_it_matters'])} bullets): {body['summary'][:160]}...")
print(
    "meta:",
    json.dumps({k: body["meta"][k] for k in ("backend", "model", "device", "engine", "elapsed_ms") if k in body["meta"]}),
)
EOF

# 8. Size, then the trap removes the container.
size=$($PODMAN image inspect -f '{{.Size}}' "$IMAGE")
log "image $IMAGE: $((size / 1000000)) MB ($($PODMAN images --format '{{.Size}}' "$IMAGE" | head -1) as podman shows it)"
log "PASS"
