#!/usr/bin/env bash
# Wraps the mongo image's entrypoint: makes sure the replica-set keyFile exists first.
# Auth plus --replSet needs a keyFile (internal authentication), even with one member.
# It is generated once into the mongo-config volume and kept there; nothing to commit.
set -euo pipefail

keyfile="${MONGO_KEYFILE:-/data/configdb/keyfile}"
if [ ! -s "$keyfile" ]; then
  umask 077
  # 6 to 1024 base64 characters, per the MongoDB keyfile rules.
  head -c 756 /dev/urandom | base64 -w 0 > "$keyfile"
  echo "mongo-entrypoint: generated $keyfile" >&2
fi
chown mongodb:mongodb "$keyfile"
chmod 400 "$keyfile"

exec docker-entrypoint.sh "$@"
