#!/usr/bin/env bash
# The keyring tests against real backends, not only the file backend that
# the rest of the suite uses: a Secret Service (gnome-keyring, unlocked,
# inside a private D-Bus session), pass (with a throw-away GPG key) and the
# kernel keyring (keyctl). For each one, vault's TestBackend (store, read,
# list, overwrite, remove every kind of item) and the reliability_backend
# script (awsx add, exec against moto, cache, logout, remove) must PASS; a
# skip or a missing tool fails, because a skipped backend proves nothing.
#
# Usage: .ci/keyrings.sh          (.ci/run calls it; Debian, as root or with sudo)
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
case " ${GOFLAGS:-} " in *" -buildvcs=false "*) ;; *) export GOFLAGS="${GOFLAGS:-} -buildvcs=false" ;; esac

step() { printf '\n== %s\n' "$*"; }
die() { printf 'ci: keyrings: %s\n' "$*" >&2; exit 1; }

# run_backend BACKEND: both tests with AWSX_TEST_BACKEND=BACKEND, in the
# environment the caller prepared; each must report PASS for BACKEND.
run_backend() {
  local b=$1 out
  out=$(AWSX_TEST_BACKEND="$b" go test -count=1 -v -run "^TestBackend\$/^${b}\$" ./vault 2>&1) ||
    { printf '%s\n' "$out"; die "TestBackend failed on the $b backend"; }
  grep -q -- "--- PASS: TestBackend/$b " <<<"$out" ||
    { printf '%s\n' "$out"; die "TestBackend/$b did not run"; }
  out=$(AWSX_TEST_BACKEND="$b" go test -count=1 -v -run '^TestScript$/^reliability_backend$' . 2>&1) ||
    { printf '%s\n' "$out"; die "testdata/script/reliability_backend.txtar failed on the $b backend"; }
  grep -q -- "--- PASS: TestScript/reliability_backend " <<<"$out" ||
    { printf '%s\n' "$out"; die "reliability_backend.txtar did not run"; }
  printf 'keyrings: %s: TestBackend and reliability_backend.txtar pass\n' "$b"
}

# Inside the private D-Bus session that dbus-run-session starts: unlock
# gnome-keyring's secrets component, then test.
if [ "${1:-}" = --inside-dbus ]; then
  # awsx keeps its items in a collection named "awsx". Creating one through
  # the Secret Service API asks for its password in a desktop dialog, which
  # a headless machine cannot show, so the collection is laid down
  # beforehand as an unencrypted keyring file; the daemon serves it like
  # any other.
  mkdir -p "$XDG_DATA_HOME/keyrings"
  printf '[keyring]\ndisplay-name=awsx\nctime=0\nmtime=0\nlock-on-idle=false\nlock-after=false\n' \
    >"$XDG_DATA_HOME/keyrings/awsx.keyring"
  chmod 600 "$XDG_DATA_HOME/keyrings/awsx.keyring"
  eval "$(printf 'throw-away' | gnome-keyring-daemon --unlock --components=secrets)"
  export GNOME_KEYRING_CONTROL
  # Proof that the daemon owns the Secret Service name before the tests.
  secret-tool store --label='awsx ci probe' awsx-ci probe <<<"probe" ||
    die "gnome-keyring-daemon does not serve the Secret Service"
  [ "$(secret-tool lookup awsx-ci probe)" = probe ] || die "gnome-keyring-daemon did not keep a secret"
  run_backend secret-service
  exit 0
fi

step "installing the keyring backends (gnome-keyring, D-Bus, pass, GnuPG)"
packages=(gnome-keyring dbus dbus-bin libsecret-tools pass gnupg)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=()
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    die "apt-get could not install ${missing[*]}"
fi
for tool in go dbus-run-session gnome-keyring-daemon secret-tool pass gpg gpgconf python3; do
  command -v "$tool" >/dev/null || die "$tool is not installed"
done

tmp=$(mktemp -d)
cleanup() {
  if [ -n "${GNUPGHOME:-}" ]; then gpgconf --kill gpg-agent >/dev/null 2>&1 || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

step "keyring backend: secret-service (gnome-keyring in a private D-Bus session)"
# The daemon keeps its files under the XDG directories, not the real HOME,
# which the Go and pyenv caches still need.
mkdir -m 700 "$tmp/xdg-runtime"
XDG_DATA_HOME="$tmp/xdg-data" XDG_CACHE_HOME="$tmp/xdg-cache" XDG_RUNTIME_DIR="$tmp/xdg-runtime" \
  dbus-run-session -- bash "$0" --inside-dbus 2> >(grep -v 'Failed to set fd limit' >&2)

step "keyring backend: pass (a throw-away GPG key and password store)"
export GNUPGHOME="$tmp/gnupg" PASSWORD_STORE_DIR="$tmp/password-store"
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key 'awsx CI <ci@awsx.invalid>' default default never 2>/dev/null ||
  die "gpg could not generate a key"
fpr=$(gpg --list-keys --with-colons | awk -F: '/^fpr/ { print $10; exit }')
[ -n "$fpr" ] || die "gpg made no key"
pass init "$fpr" >/dev/null 2>&1 || die "pass init failed"
run_backend pass
gpgconf --kill gpg-agent
unset GNUPGHOME PASSWORD_STORE_DIR

step "keyring backend: keyctl (the kernel's user keyring)"
run_backend keyctl
