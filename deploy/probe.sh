#!/usr/bin/env bash
# A Kubernetes exec probe of a Loopline process: GET <path> on this host's <port> with the API key
# in PROBE_API_KEY (role monitor or reader), healthy on 200. Every route of Loopline wants a
# credential, and the kubelet's own httpGet probes cannot take one from a Secret. Plain bash
# (/dev/tcp), as the image has no HTTP client; over plain HTTP, so the gateway's probe port must not
# be its TLS listener.
#   usage: probe <path> <port>
set -euo pipefail
path=${1:?usage: probe <path> <port>}
port=${2:?usage: probe <path> <port>}
exec 3<>"/dev/tcp/127.0.0.1/${port}"
printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Api-Key: %s\r\nConnection: close\r\n\r\n' \
  "$path" "${PROBE_API_KEY:?PROBE_API_KEY must hold an API key with the role monitor}" >&3
read -r -t 5 _ status _ <&3
exec 3>&-
[ "$status" = 200 ]
