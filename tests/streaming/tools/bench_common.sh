# Shared set-up of the streaming measurement scripts (sourced, not run): BUILD must be set.
# Defines ROOT, CVPIPE, BARE, DATA, a TMP folder removed on exit, and fps FILE (a --metrics file's fps).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
CVPIPE="$BUILD/apps/cvpipe/cvpipe"
BARE="$BUILD/tests/streaming/cvpipe_bare_read"
DATA="${CVPIPE_DATA:-/usr/share/doc/opencv-doc/examples/data}"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
fps() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["fps"])' "$1"; }
