#!/usr/bin/env bash
# Measures the shell hook: the per-prompt cost in an unchanged directory
# (the fast path, which must start no process), the time of a switch on cd
# (one awsx run, warm cache), and `awsx prompt`.
#
# usage: bench/hook.sh [AWSX_BINARY]   (default: awsx on PATH)
# It needs a profile that resolves from the cache without a login: set
# AWSX_BENCH_PROFILE (default prod) and make sure `awsx exec $AWSX_BENCH_PROFILE
# -- true` has run once. It creates a temporary marker tree and trusts it.
set -euo pipefail

bin=${1:-$(command -v awsx)}
profile=${AWSX_BENCH_PROFILE:-prod}
n=${AWSX_BENCH_N:-2000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; "$bin" trust --revoke "$tmp/tree" >/dev/null 2>&1 || true' EXIT
mkdir -p "$tmp/tree/sub"
printf 'profile = %s\n' "$profile" >"$tmp/tree/.awsx"
chmod 644 "$tmp/tree/.awsx"
"$bin" trust "$tmp/tree" >/dev/null

# ms prints milliseconds per iteration of a shell loop given as $2 in $1.
ms() {
	local shell=$1 body=$2 start end
	start=$(date +%s%N)
	"$shell" -c "$body"
	end=$(date +%s%N)
	awk -v ns=$((end - start)) -v n="$n" 'BEGIN { printf "%.4f ms\n", ns / n / 1e6 }'
}

for sh in bash zsh; do
	command -v "$sh" >/dev/null || continue
	hook=$("$bin" hook "$sh")
	# The hook is inert in non-interactive shells, so the loops set it up
	# as an interactive shell would and call the prompt function directly.
	setup="set +u; $(printf '%s\n' "$hook" | sed -e '1,/^if \[\[/d' -e '$d')"
	base=$(ms "$sh" "i=0; while [ \$i -lt $n ]; do i=\$((i+1)); done")
	in_tree=$(ms "$sh" "$setup
cd '$tmp/tree'; _awsx_hook
i=0; while [ \$i -lt $n ]; do _awsx_hook; i=\$((i+1)); done")
	echo "$sh: prompt in an unchanged directory: $in_tree (empty loop: $base)"
	n_saved=$n
	n=50
	echo "$sh: switch on cd (enter + leave), per cd: $(ms "$sh" "$setup
i=0; while [ \$i -lt 25 ]; do cd '$tmp/tree'; cd '$tmp'; i=\$((i+1)); done")"
	n=$n_saved
done

n=200
start=$(date +%s%N)
for _ in $(seq $n); do AWSX_PROFILE=prod AWSX_ACCOUNT_ID=222222222222 AWSX_EXPIRATION=9999999999 "$bin" prompt >/dev/null; done
end=$(date +%s%N)
awk -v ns=$((end - start)) -v n=$n 'BEGIN { printf "awsx prompt: %.2f ms\n", ns / n / 1e6 }'
