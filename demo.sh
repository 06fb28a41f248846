#!/usr/bin/env bash
# The demo of awsx's main job, on any machine with Go, python3 + moto and
# the AWS CLI: a bastion IAM user whose key lives in the encrypted keyring,
# and `awsx exec prod` into a child account, against a local moto server.
# Nothing outside a temporary directory is touched.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
moto_pid=""
cleanup() {
  [ -n "$moto_pid" ] && kill "$moto_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

for tool in go python3 aws; do
  command -v "$tool" >/dev/null || { echo "demo: $tool is needed" >&2; exit 1; }
done
python3 -c 'import moto' 2>/dev/null || { echo "demo: python3 needs moto (pip install 'moto[server]')" >&2; exit 1; }

echo "== building awsx"
(cd "$here" && CGO_ENABLED=0 go build -o "$work/bin/awsx" .)
export PATH="$work/bin:$PATH"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
echo "== starting moto on 127.0.0.1:$port (stands in for STS and IAM)"
python3 -m moto.server -H 127.0.0.1 -p "$port" >"$work/moto.log" 2>&1 &
moto_pid=$!
for _ in $(seq 50); do
  curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/')" 2>/dev/null && break
  sleep 0.2
done

# A throw-away home: config, keyring and the AWS CLI's files live there.
export HOME="$work/home" AWS_CONFIG_FILE="$work/home/.aws/config"
export AWS_ENDPOINT_URL_STS="http://127.0.0.1:$port" AWS_ENDPOINT_URL_IAM="http://127.0.0.1:$port"
export AWSX_BACKEND=file AWSX_FILE_PASSPHRASE=demo-passphrase AWS_EC2_METADATA_DISABLED=true
mkdir -p "$HOME/.aws"
cat >"$AWS_CONFIG_FILE" <<'CONF'
[profile bastion]
region = eu-west-1

[profile prod]
source_profile = bastion
role_arn = arn:aws:iam::222222222222:role/AssumableAdmin
duration_seconds = 28800
awsx_color = red

[profile dev]
source_profile = bastion
role_arn = arn:aws:iam::333333333333:role/AssumableAdmin
duration_seconds = 28800
CONF

echo "== an IAM user in the bastion account (moto), its key stored with 'awsx add --env'"
keys=$(AWS_ACCESS_KEY_ID=setup AWS_SECRET_ACCESS_KEY=setup AWS_DEFAULT_REGION=us-east-1 sh -c \
  'aws iam create-user --user-name alice >/dev/null && aws iam create-access-key --user-name alice --query "AccessKey.[AccessKeyId,SecretAccessKey]" --output text' \
  --endpoint-url "http://127.0.0.1:$port")
AWS_ACCESS_KEY_ID=$(echo "$keys" | cut -f1) AWS_SECRET_ACCESS_KEY=$(echo "$keys" | cut -f2) awsx add bastion --env

echo "== awsx exec prod -- aws sts get-caller-identity"
awsx exec prod -- aws sts get-caller-identity
echo "== awsx exec dev -- aws sts get-caller-identity --query Account"
awsx exec dev -- aws sts get-caller-identity --query Account --output text
echo "== a second run is served from the keyring: no STS call"
awsx --debug exec prod -- sh -c 'echo "prod $AWSX_ACCOUNT_ID, session until $AWS_CREDENTIAL_EXPIRATION"'
echo "== awsx list"
awsx list
echo "== the keyring holds only encrypted items:"
ls -l "$HOME/.awsx/keys"
echo "demo: done"
