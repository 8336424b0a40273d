#!/usr/bin/env bash
# CI step: the demo works from the repository alone. A clone of this checkout, in an empty temporary folder (no
# ../shared beside it), is installed as a user would (ONNXRUNTIME_NODE_INSTALL=skip npm ci), `npm start -- --demo`
# serves on a free port, a caption of an image made on the spot comes back from POST /v1/caption, and SIGTERM stops
# the server with exit code 0. Any failure exits non-zero, showing the server's output.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
tmp="$(mktemp -d)"
server_pid=""
log="$tmp/server.log"

cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2> /dev/null; then
    kill -TERM "$server_pid" 2> /dev/null || true
    wait "$server_pid" 2> /dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

fail() {
  echo "demo-from-clone: $*" >&2
  if [ -s "$log" ]; then
    echo "--- output of npm start -- --demo ---" >&2
    cat "$log" >&2
  fi
  exit 1
}

echo "demo-from-clone: cloning $repo into $tmp/glance"
git clone --quiet "$repo" "$tmp/glance"
cd "$tmp/glance"
[ ! -e ../shared ] || fail "../shared exists beside the clone; the check needs an empty folder"

echo "demo-from-clone: npm ci"
ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error > "$tmp/npm-ci.log" 2>&1 || { cat "$tmp/npm-ci.log" >&2; fail "npm ci failed"; }

# An image of the clone's own making (a colour gradient), not one from the fixtures.
node --input-type=module -e "
  import sharp from 'sharp';
  const [w, h] = [96, 64];
  const pixels = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) pixels.set([x * 2, y * 3, 255 - x - y], (y * w + x) * 3);
  await sharp(pixels, { raw: { width: w, height: h, channels: 3 } }).png().toFile('$tmp/gradient.png');
" || fail "could not make the test image"

echo "demo-from-clone: npm start -- --demo --port 0"
npm start -- --demo --port 0 > "$log" 2>&1 &
server_pid=$!

url=""
for _ in $(seq 1 240); do
  url="$(sed -n 's/^glance: serving [^ ]* at \(http:\/\/[^ ]*\) .*/\1/p' "$log" | head -n 1)"
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2> /dev/null || fail "the server exited before serving"
  sleep 0.5
done
[ -n "$url" ] || fail "the server did not serve within 120 s"
echo "demo-from-clone: serving at $url"

answer="$(curl -sS --fail-with-body --max-time 60 -F "image=@$tmp/gradient.png" "$url/v1/caption")" || fail "POST /v1/caption failed: $answer"
ANSWER="$answer" node -e "
  const body = JSON.parse(process.env.ANSWER);
  if (typeof body.text !== 'string' || body.text.trim() === '') throw new Error('no caption in ' + process.env.ANSWER);
  console.log('demo-from-clone: caption: ' + JSON.stringify(body.text));
" || fail "the answer has no caption: $answer"

kill -TERM "$server_pid"
code=0
wait "$server_pid" || code=$?
server_pid=""
[ "$code" = 0 ] || fail "the server exited with $code after SIGTERM (expected 0)"
echo "demo-from-clone: ok"
